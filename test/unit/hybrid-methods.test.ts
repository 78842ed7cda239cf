// Hybrid and A-Hybrid end to end: --bp-layers' forms and errors, the step graph (BP layers trained by
// a backward chain that stops at the first of them, the rest by LR/ALR gradient products), the
// simulator (the backward chain costs cycles and gradient bytes, more with more BP layers), compare's
// rows with and without a pipeline, and probe (the BP layers' cosine to BP is 1 within float error).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile, stepGraph } from '../../src/compiler/compile.js';
import { resolveCompileOptions } from '../../src/compiler/compile-options.js';
import { ConfigError } from '../../src/errors.js';
import { selectBpLayers } from '../../src/models/bp-layers.js';
import { buildModel } from '../../src/models/registry.js';
import { mlp } from '../../src/models/builders.js';
import { compareRows } from '../../sim/compare.js';
import { runSimJob } from '../../sim/job.js';
import { probe } from '../../src/train/probe.js';
import { quadCoreHw } from '../fixtures/compiler-hw.js';

const net = mlp([6, 5, 4, 3]);

describe('--bp-layers', () => {
  test('default: the last parametrised layer; last:N; names in network order', () => {
    expect(selectBpLayers(net)).toEqual(['fc3']);
    expect(selectBpLayers(net, 'last:2')).toEqual(['fc2', 'fc3']);
    expect(selectBpLayers(net, 'fc3,fc1')).toEqual(['fc1', 'fc3']);
  });
  test.each(['last:3', 'last:0', 'fc9', 'fc1,fc2,fc3', 'first:1'])('"%s" is refused, naming the layers', (spec) => {
    expect(() => selectBpLayers(net, spec)).toThrow(ConfigError);
    expect(() => selectBpLayers(net, spec)).toThrow(/--bp-layers: found .*the layers of mlp-6-5-4-3: fc1, fc2, fc3/);
  });
  test('only the hybrids take it', () => {
    const run = () =>
      resolveCompileOptions({ method: 'lr', copies: 2, batch: 2, schedule: 'sequential', bpLayers: 'x' });
    expect(run).toThrow(/--bp-layers: applies to hybrid and a-hybrid, found --method lr/);
  });
});

describe.each(['hybrid', 'a-hybrid'] as const)('%s step graph', (method) => {
  const graphOf = (bpLayers?: string) =>
    stepGraph(
      net,
      resolveCompileOptions({ method, copies: 4, batch: 3, schedule: 'sequential', ...(bpLayers ? { bpLayers } : {}) }),
    );
  test('BP layers get a backward gradient product; the chain stops at the first of them; the others LR products', () => {
    const g = graphOf('last:2');
    const products = g.nodes.filter((n) => n.kind === 'GradProduct');
    expect(products.map((n) => [n.layer, n.phase]).sort()).toEqual([
      ['fc1', 'gradient'],
      ['fc2', 'backward'],
      ['fc3', 'backward'],
    ]);
    const backward = g.nodes.filter((n) => n.phase === 'backward').map((n) => n.id);
    expect(backward).toContain('fc3.dx');
    expect(backward).not.toContain('fc2.dx');
    expect(g.nodes.filter((n) => n.kind === 'NoiseInject').map((n) => n.layer)).toEqual(['fc1']);
    // The BP part runs on N rows (copy-invariant), the noisy pass on N*K.
    expect(g.nodes.find((n) => n.id === 'clean/loss.ce')).toMatchObject({ rows: 3 });
    expect(g.nodes.find((n) => n.id === 'loss.ce')).toMatchObject({ rows: 12 });
    expect(Object.values(g.tensors).some((t) => t.dtype === 'bit')).toBe(method === 'a-hybrid');
  });

  test('BP in the first layer: the chain crosses the LR layers after it; the noisy pass reuses the clean first layer', () => {
    const g = graphOf('fc1');
    const ids = g.nodes.map((n) => n.id);
    expect(ids).toContain('clean/fc1.mm');
    expect(ids).not.toContain('fc1.mm');
    expect(ids).toContain('fc2.dx');
    expect(g.nodes.filter((n) => n.kind === 'GradProduct' && n.phase === 'backward').map((n) => n.layer)).toEqual([
      'fc1',
    ]);
    expect(g.nodes.filter((n) => n.kind === 'NoiseInject').map((n) => n.layer)).toEqual(['fc2', 'fc3']);
  });

  test('the simulator costs the backward chain: more BP layers, more backward cycles', async () => {
    const backwardCycles = (bpLayers: string) => {
      const step = compile(net, quadCoreHw, { method, copies: 4, batch: 3, schedule: 'sequential', bpLayers });
      return step.graph.nodes.filter((n) => n.phase === 'backward').length;
    };
    expect(backwardCycles('last:2')).toBeGreaterThan(backwardCycles('last:1'));
    const report = async (bpLayers: string) =>
      runSimJob({
        model: 'cnn',
        method,
        copies: 8,
        batch: 8,
        schedule: 'sequential',
        hw: 'gpu-like',
        iterations: 2,
        bpLayers,
        // Every core's tasks: the busy time below sums the whole chip's.
        fullTimeline: true,
      });
    const [one, two] = [await report('last:1'), await report('last:2')];
    const busy = (r: typeof one) =>
      r.timeline.filter((t) => t.phase === 'backward' && t.iteration === 0).reduce((s, t) => s + t.end - t.start, 0);
    expect(busy(one)).toBeGreaterThan(0);
    expect(busy(two)).toBeGreaterThan(busy(one));
  });

  test('runs under a BP pipeline (1f1b), the backward chain on the last stage', async () => {
    const r = await runSimJob({
      model: 'cnn',
      method,
      copies: 8,
      batch: 8,
      schedule: '1f1b',
      hw: 'gpu-like',
      iterations: 2,
    });
    expect(r.throughput.iterationsPerSecond).toBeGreaterThan(0);
    expect(r.timeline.some((t) => t.phase === 'backward')).toBe(true);
  });
});

test('compare lists hybrid and a-hybrid rows, without and with a pipeline', () => {
  const rows = compareRows().filter((r) => r.method === 'hybrid' || r.method === 'a-hybrid');
  expect(rows.map((r) => `${r.method} ${r.schedule}`)).toEqual([
    'hybrid sequential',
    'a-hybrid sequential',
    'hybrid 1f1b',
    'a-hybrid 1f1b',
  ]);
});

describe('probe --method hybrid,a-hybrid', () => {
  test("per-layer cosine to BP: the BP layers' is 1 within float error", async () => {
    const report = await probe({
      model: 'mlp',
      dataset: 'iris',
      batch: 32,
      backend: 'reference',
      seed: 1,
      sigma: 0.1,
      baseline: 'mean',
      layerwise: false,
      hidden: [16, 8],
      methods: ['hybrid', 'a-hybrid'],
      copies: [64],
      bpLayers: 'last:2',
    });
    for (const run of report.runs) {
      const [fc1, fc2, fc3] = run.layers;
      expect(fc1!.cosineToBp).toBeLessThan(1 - 1e-6);
      expect(fc2!.cosineToBp).toBeCloseTo(1, 12);
      expect(fc3!.cosineToBp).toBeCloseTo(1, 12);
      expect(fc3!.normRatio).toBeCloseTo(1, 12);
    }
  });

  test('the command prints a per-layer table; a bad --bp-layers exits 2 naming the layers', () => {
    const cli = join(import.meta.dirname, '../../src/cli/alrflow.mjs');
    const run = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        [cli, 'probe', '--model', 'mlp', '--dataset', 'iris', '--method', 'hybrid,a-hybrid', '--copies', '16'].concat([
          '--hidden',
          '8',
          '--batch',
          '16',
          '--backend',
          'reference',
          ...extra,
        ]),
        { encoding: 'utf8' },
      );
    const ok = run();
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^hybrid\s+16\s+\S+ \/ \S+\s+1\.000 \/ 1\.00$/m);
    expect(ok.stdout).toMatch(/^a-hybrid\s+16\s+\S+ \/ \S+\s+1\.000 \/ 1\.00$/m);
    const bad = run('--bp-layers', 'fc7');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--bp-layers: found "fc7".*the layers of mlp-4-8-3: fc1, fc2/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

test('every shipped model that has two parametrised layers compiles under both hybrids', () => {
  for (const model of ['mlp', 'cnn', 'resnet5']) {
    const network = buildModel(model, {});
    for (const method of ['hybrid', 'a-hybrid'] as const)
      expect(() => compile(network, quadCoreHw, { method, copies: 2, batch: 2, schedule: 'sequential' })).not.toThrow();
  }
});

test('compare on a network of one parametrised layer: the hybrid rows say why they cannot run, the others run', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'hybrid-')), 'one-layer.json');
  const layers = [{ kind: 'linear', name: 'fc', inFeatures: 4, outFeatures: 3 }];
  writeFileSync(file, JSON.stringify({ name: 'one-layer', inputShape: [4], classes: 3, layers }));
  const { runCompare, compareTable } = await import('../../sim/compare.js');
  const report = await runCompare({ model: file, hw: 'multicore-16', copies: 4, batch: 4, iterations: 1 });
  const hybrids = report.rows.filter((r) => r.method.endsWith('hybrid'));
  expect(hybrids).toHaveLength(4);
  for (const r of hybrids) expect(r.infeasible).toMatch(/^not applicable: .*a hybrid needs at least 2/);
  expect(report.rows.find((r) => r.method === 'lr')!.iterationsPerSecond).toBeGreaterThan(0);
  expect(compareTable(report)).toMatch(/^a-hybrid sequential\s+not applicable: /m);
});

// Micro-batches are structure of the compiled step graph, modelled once (src/ir/step-instances.ts): the
// printed gpipe step with M=4 shows its 4 micro-batches (row slices of the batch) and the accumulation of
// each weight gradient over them; the simulator's tasks are exactly the graph's node instances (each
// per-micro-batch node 4 times, each per-step node once), and the runtime has no batch-splitting loop of
// its own: it walks the same instances.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileJob, type SimJob } from '../../sim/job.js';
import { printGraph } from '../../src/ir/print-graph.js';
import { microBatchesOf, stepInstances } from '../../src/ir/step-instances.js';
import { estimate } from '../../src/estimators/estimate.js';
import { initParams } from '../../src/estimators/params.js';
import { loadHwModel } from '../../src/hw/load.js';
import { stepSource } from '../../src/compiler/step-source.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { relativeError, smallCnn } from '../fixtures/bridge-networks.js';

const gpipe: SimJob = {
  model: 'mlp',
  method: 'bp',
  copies: 1,
  batch: 16,
  schedule: 'gpipe',
  hw: 'multicore-16',
  iterations: 1,
  microBatches: 4,
};

describe('micro-batches in the step graph', () => {
  test('gpipe M=4: 4 micro-batch lines, each weight gradient accumulates 4 instances', async () => {
    const step = await compileJob(gpipe);
    const text = printGraph(step.graph);
    expect(text.split('\n').filter((l) => l.startsWith('micro '))).toEqual([
      'micro 0 rows=0..3',
      'micro 1 rows=4..7',
      'micro 2 rows=8..11',
      'micro 3 rows=12..15',
    ]);
    const products = step.graph.nodes.filter((n) => n.kind === 'GradProduct');
    expect(products.length).toBe(step.graph.params.length);
    for (const p of products) expect(text).toMatch(new RegExp(`^node ${p.id} GradProduct .*accumulate=4 `, 'm'));
    const m1 = printGraph((await compileJob({ ...gpipe, microBatches: 1 })).graph);
    expect(m1).not.toMatch(/^micro |accumulate=/m);
  });

  test('uneven micro-batches: rows split at floor(i * N / M)', () => {
    expect(microBatchesOf({ batch: 10, microBatches: 4 }).map((m) => [m.firstSample, m.samples])).toEqual([
      [0, 2],
      [2, 3],
      [5, 2],
      [7, 3],
    ]);
    expect(microBatchesOf({ batch: 2, microBatches: 4 }).length).toBe(2);
  });

  test("the simulator's tasks are the graph's node instances, with the instances' dependencies", async () => {
    for (const job of [gpipe, { ...gpipe, method: 'alr' as const, copies: 4, schedule: 'layer-pipelined' as const }]) {
      const step = await compileJob({ ...job, staleness: 0 });
      const instances = stepInstances(step.graph);
      const key = (node: string, micro: number | undefined): string => `${node}#${micro ?? '-'}`;
      const fromInstances = new Set(instances.map((i) => key(i.node.id, i.micro)));
      const fromTasks = new Set(
        step.tasks.map((t) => key(t.node, /#(\d+)/.exec(t.id.slice(t.node.length)) ? t.microBatch : undefined)),
      );
      expect(fromTasks).toEqual(fromInstances);
      for (const i of instances) {
        const expected = i.node.perStep ? 1 : 4;
        expect(instances.filter((j) => j.node === i.node).length).toBe(expected);
      }
    }
  });
});

describe('the runtime reads the micro-batches from the graph', () => {
  const dir = join(import.meta.dirname, '../../src/train');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  test('no splitBatch and no micro-batch arithmetic of its own in src/train', () => {
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/splitBatch/);
      expect(text, f).not.toMatch(/Math\.floor\(\(\w+ \* \w+(\.samples)?\) \/ \w+\)/);
    }
    for (const path of ['runtime/host-step.ts', 'runtime/resident-step.ts']) {
      const step = readFileSync(join(dir, path), 'utf8');
      expect(step, path).toMatch(/stepInstances\(/);
      expect(step, path).toMatch(/microBatchesOf\(/);
    }
  });
});

test('a conv net under gpipe, 3 micro-batches whose stages sit on other cores than the whole step: the BP gradient (1e-12)', async () => {
  const samples = 6;
  const params = initParams(smallCnn, 11);
  const runtime = await Runtime.create({
    network: stepSource(smallCnn),
    backend: 'reference',
    method: {
      method: 'bp',
      copies: 1,
      sigma: 0.1,
      baseline: 'none',
      encoding: 'sign-noise',
      antithetic: false,
      layerwise: false,
    },
    seed: 5,
    optimizer: { kind: 'sgd', momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    schedule: { kind: 'gpipe', batch: samples, microBatches: 3, staleness: 0, hw: loadHwModel('multicore-16') },
  });
  for (const [name, p] of params)
    runtime.params[name] = { weights: Float64Array.from(p.weights), biases: Float64Array.from(p.biases) };
  const transfers = (rows: number): string[] =>
    (rows === samples ? runtime.graphs.whole(rows) : runtime.graphs.step(rows)).nodes
      .filter((n) => n.kind === 'Transfer')
      .map((n) => n.id);
  // The micro-batch's graph names its Transfers after other cores; the runtime pairs them by structure.
  expect(transfers(2)).not.toEqual(transfers(samples));
  const width = smallCnn.inputShape.reduce((a, b) => a * b, 1);
  const input = Float64Array.from({ length: samples * width }, (_, i) => Math.sin(i * 1.7));
  const labels = Int32Array.from({ length: samples }, (_, i) => i % 3);
  const mine = await runtime.gradients({ x: input, labels, samples }, 0);
  const oracle = {
    method: 'bp' as const,
    copies: 1,
    sigma: 0.1,
    baseline: 'none' as const,
    antithetic: false,
    layerwise: false,
    seed: 5,
    step: 0,
  };
  // Batchnorm normalises each micro-batch with its own statistics: the step's gradient is the row-weighted
  // mean of the micro-batches' BP gradients.
  const expected = new Map<string, { weights: Float64Array; biases: Float64Array }>();
  for (const m of microBatchesOf({ batch: samples, microBatches: 3 })) {
    const rows = {
      input: input.subarray(m.firstSample * width, (m.firstSample + m.samples) * width),
      labels: labels.subarray(m.firstSample, m.firstSample + m.samples),
      size: m.samples,
    };
    for (const [name, g] of estimate(smallCnn, params, rows, oracle).gradients) {
      const sum = expected.get(name) ?? {
        weights: new Float64Array(g.weights.length),
        biases: new Float64Array(g.biases.length),
      };
      g.weights.forEach((v, i) => (sum.weights[i]! += (v * m.samples) / samples));
      g.biases.forEach((v, i) => (sum.biases[i]! += (v * m.samples) / samples));
      expected.set(name, sum);
    }
  }
  expect(expected.size).toBe(params.size);
  for (const [name, g] of expected) {
    expect(relativeError(mine.gradients[name]!.weights, g.weights), name).toBeLessThanOrEqual(1e-12);
    expect(relativeError(mine.gradients[name]!.biases, g.biases), name).toBeLessThanOrEqual(1e-12);
  }
  await runtime.dispose();
});

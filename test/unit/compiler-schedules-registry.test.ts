// Schedules as data and stage control: every registered schedule is one declaration that validation,
// the compiler and the help read; a new schedule declared in a test file is accepted by the registry
// functions' rules; --stages N gives N stages cut by cost; --stage-cuts cuts exactly where asked; bad
// stage options are ConfigErrors naming what was found and what is allowed.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { resolveCompileOptions } from '../../src/compiler/compile-options.js';
import { scheduleHelp, scheduleKinds, schedules } from '../../src/compiler/schedules/registry.js';
import { schedulesFor } from '../../src/compiler/methods/registry.js';
import { ConfigError } from '../../src/errors.js';
import { methodNames as methods } from '../../src/compiler/methods/names.js';
import { buildModel } from '../../src/models/registry.js';
import { simulate } from '../../sim/simulate.js';
import { quadCoreHw } from '../fixtures/compiler-hw.js';

describe('the schedule registry', () => {
  test('each schedule declares its pipelining and staleness, some method runs under it, and the help lists them all', () => {
    for (const k of scheduleKinds) {
      const s = schedules[k];
      expect(s.name).toBe(k);
      expect(methods.filter((m) => schedulesFor(m).includes(k)).length).toBeGreaterThan(0);
      expect(s.pipelined).toBe(s.blockOrder !== undefined);
      expect(scheduleHelp()).toContain(`${k}: ${s.summary}`);
    }
  });
  test("validation reads the method registry: a schedule outside a method's list is refused, naming the allowed ones", () => {
    for (const method of methods) {
      for (const k of scheduleKinds) {
        const ok = schedulesFor(method).includes(k);
        const run = () => resolveCompileOptions({ method, copies: 4, batch: 8, schedule: k });
        if (ok) expect(run).not.toThrow();
        else expect(run).toThrow(new RegExp(`allowed: ${schedulesFor(method).join(', ')}`));
      }
    }
  });
  test('staleness 1 is accepted only where a schedule declares it', () => {
    for (const k of scheduleKinds) {
      const method = methods.find((m) => schedulesFor(m).includes(k))!;
      const run = () => resolveCompileOptions({ method, copies: 4, batch: 8, schedule: k, staleness: 1 });
      if (schedules[k].staleness.includes(1)) expect(run).not.toThrow();
      else expect(run).toThrow(/--staleness: found 1/);
    }
  });
  test('a block order is a permutation of the 2M blocks on every stage, forward before backward per micro-batch', () => {
    for (const k of scheduleKinds.filter((x) => schedules[x].pipelined)) {
      for (const [S, M] of [
        [2, 1],
        [4, 4],
        [3, 8],
      ] as const) {
        for (let s = 0; s < S; s++) {
          const { forward, backward } = schedules[k].blockOrder!(s, S, M);
          expect([...forward, ...backward].sort((a, b) => a - b)).toEqual(Array.from({ length: 2 * M }, (_, i) => i));
          for (let t = 0; t < M; t++) expect(forward[t]!).toBeLessThan(backward[t]!);
        }
      }
    }
  });
});

describe('stage control', () => {
  const net = buildModel('cnn');
  const layers = compile(net, quadCoreHw, {
    method: 'alr',
    copies: 4,
    batch: 8,
    schedule: 'layer-pipelined',
  }).stages.flatMap((s) => s.layers);
  test.each([1, 2, 3, 4])('--stages %i gives that many stages over every core, and says so', (n) => {
    const step = compile(net, quadCoreHw, {
      method: 'alr',
      copies: 4,
      batch: 8,
      schedule: 'layer-pipelined',
      stages: n,
    });
    expect(step.stages).toHaveLength(n);
    expect(step.stages.flatMap((s) => s.cores)).toEqual([0, 1, 2, 3]);
    expect(step.stageChoice).toContain(`--stages ${n}`);
    const r = simulate(step, { iterations: 2 });
    expect(r.stages.map((s) => s.estimatedCycles)).toEqual(step.stages.map((s) => s.estimatedCycles));
    for (const s of r.stages) expect(s.simulatedCycles).toBeGreaterThan(0);
  });
  test('--stage-cuts starts a stage at each named layer', () => {
    const cuts = [layers[1]!, layers[3]!];
    const step = compile(net, quadCoreHw, {
      method: 'alr',
      copies: 4,
      batch: 8,
      schedule: 'layer-pipelined',
      stageCuts: cuts,
    });
    expect(step.stages.map((s) => s.layers[0])).toEqual([layers[0], ...cuts]);
    expect(step.stageChoice).toContain('--stage-cuts');
  });
  test('the automatic choice lists every candidate stage count with its score', () => {
    const step = compile(net, quadCoreHw, { method: 'alr', copies: 4, batch: 8, schedule: 'layer-pipelined' });
    expect(step.stageChoice).toMatch(/^automatic: \d+ stages; score .* per stage count 2: [\d.e+]+, 3: /);
  });
  const bad = (o: object) => () =>
    compile(net, quadCoreHw, { method: 'alr', copies: 4, batch: 8, schedule: 'layer-pipelined', ...o });
  test.each([
    [{ stages: 9 }, /--stages: found 9, allowed: 1 to 4/],
    [{ stages: 0 }, /--stages: found 0, allowed: a positive integer/],
    [{ stageCuts: ['nope'] }, /--stage-cuts: found "nope", allowed: layer names in forward order/],
    [{ stages: 2, stageCuts: ['x'] }, /found both/],
  ])('bad stage options %o are a ConfigError', (o, message) => {
    expect(bad(o)).toThrow(ConfigError);
    expect(bad(o)).toThrow(message);
  });
  test('stage options with a schedule that is not pipelined are refused', () => {
    expect(() =>
      compile(net, quadCoreHw, { method: 'alr', copies: 4, batch: 8, schedule: 'sequential', stages: 2 }),
    ).toThrow(/allowed: with layer-pipelined, gpipe, 1f1b only/);
  });
});

describe('stage options on the command line', () => {
  const cli = (...args: string[]) =>
    spawnSync('node', ['src/cli/alrflow.mjs', ...args], {
      encoding: 'utf8',
      cwd: new URL('../..', import.meta.url).pathname,
    });
  test("simulate --stages 2 reports how the stages were chosen and each stage's estimated and simulated cycles", () => {
    const run = cli(
      'simulate',
      '--model',
      'mlp',
      '--method',
      'alr',
      '--copies',
      '4',
      '--batch',
      '8',
      '--hw',
      'multicore-16',
      '--iterations',
      '2',
      '--schedule',
      'layer-pipelined',
      '--stages',
      '2',
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('stages                 --stages 2');
    expect(
      run.stdout.match(/stage \d cores .*: estimated \d+, simulated \d+ busy cycles per core per iteration/g),
    ).toHaveLength(2);
  });
  test('a bad --stage-cuts exits 2 naming the allowed layers, without a stack trace', () => {
    const stepOptions = ['--hw', 'multicore-16', '--schedule', 'layer-pipelined', '--stage-cuts', 'nope'];
    const run = cli('simulate', '--model', 'mlp', '--iterations', '2', ...stepOptions);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--stage-cuts: found "nope", allowed: layer names in forward order \(fc1, /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

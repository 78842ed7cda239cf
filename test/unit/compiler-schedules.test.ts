// Schedules and mapping: gpipe issues all forwards before any backward on a stage, 1f1b
// interleaves them; staleness 1 lags gradient work one iteration so it overlaps the next forward; an infeasible
// mapping names class, layer, level and capacity; ResNet-9 with K=64 compiles well under 100 ms.
import { expect, test } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { buildModel } from '../../src/models/registry.js';
import type { CompiledStep } from '../../src/compiler/types.js';
import { quadCoreHw, tinyDramHw } from '../fixtures/compiler-hw.js';
import { simulate } from '../../sim/simulate.js';

/** Per core systolic unit: 'F' or 'B' per task in issue order (forward vs backward phase). */
function phasesOnCore(step: CompiledStep, core: number): string {
  const phase = new Map(step.graph.nodes.map((n) => [n.id, n.phase]));
  return step.tasks
    .filter((t) => t.unit.core === core && t.unit.unit === 'array')
    .map((t) => (phase.get(t.node) === 'forward' ? 'F' : 'B'))
    .join('')
    .replace(/(.)\1+/g, '$1');
}

test('gpipe runs every forward before any backward on the first stage; 1f1b interleaves', () => {
  const net = buildModel('cnn');
  const options = { method: 'bp' as const, copies: 1, batch: 8, microBatches: 4 };
  const gpipe = compile(net, quadCoreHw, { ...options, schedule: 'gpipe' });
  const ofb = compile(net, quadCoreHw, { ...options, schedule: '1f1b' });
  expect(gpipe.stages.length).toBeGreaterThan(1);
  expect(phasesOnCore(gpipe, 0)).toBe('FB');
  expect(phasesOnCore(ofb, 0)).toMatch(/^F(BF)+B$/);
});

test('staleness 0: gradient work follows its forward in the same iteration; staleness 1 lags it one iteration', () => {
  const base = { method: 'alr' as const, copies: 4, batch: 8, schedule: 'layer-pipelined' as const };
  const strict = compile(buildModel('mlp'), quadCoreHw, { ...base, staleness: 0 });
  const stale = compile(buildModel('mlp'), quadCoreHw, { ...base, staleness: 1 });
  const lagPhases = new Set(['gradient', 'update']);
  const depPhases = (step: CompiledStep, ids: string[]) => {
    const phase = new Map(step.graph.nodes.map((n) => [n.id, n.phase]));
    return ids.map((d) => phase.get(step.tasks.find((t) => t.id === d)!.node)!);
  };
  const gradientTasks = (step: CompiledStep) => step.tasks.filter((t) => depPhases(step, [t.id])[0] === 'gradient');
  for (const t of gradientTasks(strict)) expect(t.prevIterationDeps).toEqual([]);
  expect(gradientTasks(strict).some((t) => depPhases(strict, t.deps).some((p) => !lagPhases.has(p)))).toBe(true);
  for (const t of gradientTasks(stale)) expect(depPhases(stale, t.deps).every((p) => lagPhases.has(p))).toBe(true);
  expect(gradientTasks(stale).some((t) => depPhases(stale, t.prevIterationDeps).some((p) => !lagPhases.has(p)))).toBe(
    true,
  );
  for (const step of [strict, stale])
    expect(step.tasks.some((t) => t.prevIterationDeps.some((d) => d.endsWith('.update')))).toBe(true);
});

test('staleness 1 overlaps the next forward with the previous gradient work: fewer cycles per iteration', () => {
  const base = { method: 'alr' as const, copies: 8, batch: 16, schedule: 'layer-pipelined' as const, microBatches: 4 };
  const cycles = (staleness: 0 | 1) =>
    simulate(compile(buildModel('cnn'), quadCoreHw, { ...base, staleness }), { iterations: 12, model: 'cnn' }).cycles
      .steadyStatePerIteration;
  expect(cycles(1)).toBeLessThan(cycles(0));
});

test('layer-pipelined LR sends only loss vectors backwards between cores', () => {
  const step = compile(buildModel('cnn'), quadCoreHw, {
    method: 'lr',
    copies: 4,
    batch: 4,
    schedule: 'layer-pipelined',
  });
  const transfers = step.graph.nodes.filter((n) => n.kind === 'Transfer');
  expect(transfers.length).toBeGreaterThan(0);
  for (const t of transfers) {
    if (t.kind !== 'Transfer' || t.toCore > t.fromCore) continue;
    expect(step.graph.tensors[t.inputs[0]!]!.cls).toBe('loss');
  }
});

test('an infeasible mapping names class, layer, bytes, level, capacity and schedule', () => {
  const step = compile(buildModel('mlp'), tinyDramHw(64 * 1024), {
    method: 'lr',
    copies: 64,
    batch: 32,
    schedule: 'sequential',
  });
  expect(step.feasibility.ok).toBe(false);
  expect(step.feasibility.shortfalls[0]).toMatch(
    /^(noise|activation) of fc\d needs [\d.]+ (KiB|MiB) on level dram \(capacity 64 KiB\) under schedule sequential$|live at peak on level dram \(capacity 64 KiB\)/,
  );
  const fits = compile(buildModel('mlp'), tinyDramHw(2 ** 30), {
    method: 'lr',
    copies: 64,
    batch: 32,
    schedule: 'sequential',
  });
  expect(fits.feasibility).toMatchObject({ ok: true, shortfalls: [] });
  expect(fits.feasibility.overBy).toBeLessThanOrEqual(1);
  expect(step.feasibility.overBy).toBeGreaterThan(1);
});

test('ResNet-9, ALR, K=64, layer-pipelined compiles under 100 ms (fastest of 5 after warm-up: load from other test files only adds time)', () => {
  const net = buildModel('resnet9');
  const run = () => compile(net, quadCoreHw, { method: 'alr', copies: 64, batch: 32, schedule: 'layer-pipelined' });
  run();
  const times = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    run();
    return performance.now() - t0;
  });
  expect(Math.min(...times)).toBeLessThan(100);
});

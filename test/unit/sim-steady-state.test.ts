// Exact steady state (sim/engine-period.ts): once an iteration repeats the one before it (the engine's
// whole state, relative to the iteration and the cycle), the engine jumps over the repeats. The report
// must be the one a full simulation gives, byte for byte, on every schedule and several hardware models.
import { describe, expect, test } from 'vitest';
import { compileJob, type SimJob } from '../../sim/job.js';
import { simulate, simulationRun } from '../../sim/simulate.js';

const job = (over: Partial<SimJob>): SimJob => ({
  model: 'resnet5',
  method: 'alr',
  copies: 8,
  batch: 16,
  schedule: 'layer-pipelined',
  hw: 'multicore-16',
  iterations: 16,
  ...over,
});

const cases: [string, Partial<SimJob>][] = [
  ['layer-pipelined ALR', {}],
  ['layer-pipelined staleness 1 (settles after ~30 iterations)', { staleness: 1, iterations: 60 }],
  ['gpipe BP', { method: 'bp', copies: 1, schedule: 'gpipe' }],
  ['1f1b BP', { method: 'bp', copies: 1, schedule: '1f1b', microBatches: 8 }],
  ['data-parallel ALR', { schedule: 'data-parallel' }],
  ['sequential LR', { method: 'lr', schedule: 'sequential' }],
  ['bp-sequential on edge-npu', { method: 'bp', copies: 1, schedule: 'bp-sequential', hw: 'edge-npu' }],
  ['layer-pipelined ALR on gpu-like', { hw: 'gpu-like', iterations: 9 }],
];

describe.each(cases)('%s', (_, over) => {
  test('the report with jumps over repeated iterations equals the full simulation', async () => {
    const j = job(over);
    const step = await compileJob(j);
    const full = simulate(step, { iterations: j.iterations, extrapolate: false });
    const jumped = simulate(step, { iterations: j.iterations });
    expect(JSON.stringify(jumped)).toBe(JSON.stringify(full));
    // The case does jump, so the comparison tests the jump (and a run told not to jump does not).
    expect(simulationRun(step, { iterations: j.iterations }).skippedIterations).toBeGreaterThan(0);
    expect(simulationRun(step, { iterations: j.iterations, extrapolate: false }).skippedIterations).toBe(0);
  }, 120_000);
});

test('simulate --full-simulation (a job with extrapolate: false) simulates every event and gives the same report', async () => {
  const { runSimJob } = await import('../../sim/job.js');
  const j = job({ iterations: 40, cores: 16 });
  // Progress is reported every 4096 simulated events: the run that jumps simulates fewer of them.
  const calls = { jumped: 0, full: 0 };
  const jumped = await runSimJob(j, () => calls.jumped++);
  const full = await runSimJob({ ...j, extrapolate: false }, () => calls.full++);
  expect(JSON.stringify(full)).toBe(JSON.stringify(jumped));
  expect(calls.full).toBeGreaterThan(2 * calls.jumped);
}, 120_000);

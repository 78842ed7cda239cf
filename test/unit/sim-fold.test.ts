// Folded simulation (sim/engine-fold.ts): cores that mirror each other are simulated once, with
// their chip-wide demands counted once per mirror. The fold is exact, so the report must be the one
// the unfolded run gives, byte for byte: cycles, busy and idle per unit, memory peaks and timelines,
// traffic, energy. Data-parallel steps fold (equal row shards); pipelined ones on these chips keep
// every core alone (uneven shards, transfers into the next stage's memory), and must not change.
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { compileJob, type SimJob } from '../../sim/job.js';
import { simulate, simulationRun } from '../../sim/simulate.js';

const mesh64 = join(import.meta.dirname, '../fixtures/mesh-64.json');

const job = (over: Partial<SimJob>): SimJob => ({
  model: 'resnet9',
  method: 'alr',
  copies: 16,
  batch: 32,
  schedule: 'layer-pipelined',
  hw: 'multicore-16',
  iterations: 12,
  ...over,
});

/** [name, job, whether cores fold (fewer classes than cores)]. */
const cases: [string, Partial<SimJob>, boolean][] = [
  ['ALR resnet9 layer-pipelined', {}, false],
  ['BP resnet9 1f1b', { method: 'bp', copies: 1, schedule: '1f1b' }, false],
  ['ALR resnet5 layer-pipelined', { model: 'resnet5' }, false],
  ['BP resnet5 gpipe', { model: 'resnet5', method: 'bp', copies: 1, schedule: 'gpipe' }, false],
  ['ALR resnet9 data-parallel', { schedule: 'data-parallel' }, true],
  ['BP resnet5 data-parallel', { model: 'resnet5', method: 'bp', copies: 1, schedule: 'data-parallel' }, true],
  ['ALR resnet5 layer-pipelined on a 64-core mesh', { model: 'resnet5', hw: mesh64 }, false],
  [
    'BP resnet5 gpipe on a 64-core mesh',
    { model: 'resnet5', method: 'bp', copies: 1, schedule: 'gpipe', hw: mesh64 },
    false,
  ],
  ['ALR resnet5 data-parallel on a 64-core mesh', { model: 'resnet5', schedule: 'data-parallel', hw: mesh64 }, true],
];

describe.each(cases)('%s', (_, over, folds) => {
  test('the folded report equals the unfolded one', async () => {
    const j = job(over);
    const step = await compileJob(j);
    const unfolded = simulate(step, { iterations: j.iterations });
    const folded = simulate(step, { iterations: j.iterations, fold: true });
    expect(JSON.stringify(folded)).toBe(JSON.stringify(unfolded));
    const classes = simulationRun(step, { iterations: j.iterations, fold: true }).foldedClasses;
    const cores = new Set(step.tasks.map((t) => t.unit.core)).size;
    // Where the case folds, the comparison tests the fold; a run told not to fold has a class per core.
    if (folds) expect(classes).toBeLessThan(cores);
    else expect(classes).toBe(cores);
    expect(simulationRun(step, { iterations: j.iterations }).foldedClasses).toBe(cores);
  }, 120_000);
});

test('simulate --fold (a job with fold: true) gives the same report, core-count trials included', async () => {
  const { runSimJob } = await import('../../sim/job.js');
  const j = job({ model: 'resnet5', schedule: 'data-parallel', hw: 'gpu-like', iterations: 8 });
  const folded = await runSimJob({ ...j, fold: true });
  const unfolded = await runSimJob(j);
  expect(JSON.stringify(folded)).toBe(JSON.stringify(unfolded));
}, 120_000);

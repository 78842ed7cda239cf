// train under a step schedule through the real train loop: layer-pipelined, 2 micro-batches,
// staleness 1 on Iris (reference backend) learns; an interrupted and resumed staleness-1 run ends
// in the same state as an uninterrupted one (the pending gradient is in the checkpoint); --profile
// records every executed node of the mapped graph with its measured time; bad schedule flags exit 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { train } from '../../src/train/train.js';
import type { TrainConfig } from '../../src/train/train-config.js';
import { silent, smallRun } from '../fixtures/train-short-runs.js';

const config: TrainConfig = {
  ...smallRun,
  epochs: 6,
  stepSchedule: 'layer-pipelined',
  microBatches: 2,
  staleness: 1,
  hw: 'multicore-16',
};
const dir = (): string => mkdtempSync(join(tmpdir(), 'alrflow-step-schedule-'));

test('staleness 1, 2 micro-batches: learns Iris, resumes to the same state, profiles every node', async () => {
  const out = dir();
  const straight = await train(config, { outDir: out, resume: false, force: true, progress: silent, profile: true });
  expect(straight.final!.testAccuracy).toBeGreaterThanOrEqual(0.7);
  const profile = straight.profile!;
  expect(profile.steps).toBe(straight.steps - 1);
  expect(profile.measuredStepSeconds).toBeGreaterThan(0);
  expect(profile.nodeShare).toBeGreaterThan(0);
  expect(profile.nodeShare).toBeLessThanOrEqual(1);
  const ids = new Set(profile.nodes.map((n) => n.id));
  for (const id of ['fc1.inject', 'fc1.gradprod', 'fc2.gradprod', 'loss.ce', 'fc1.update'])
    expect(ids.has(id), id).toBe(true);
  expect(profile.nodes.find((n) => n.id === 'fc1.gradprod')!.callsPerStep).toBe(2);
  expect(profile.nodes.find((n) => n.id === 'fc1.update')!.callsPerStep).toBeLessThanOrEqual(1);
  const cut = dir();
  await train(config, { outDir: cut, resume: false, force: true, progress: silent, stopAfterSteps: 13 });
  const resumed = await train(config, { outDir: cut, resume: true, force: false, progress: silent });
  expect(resumed.final).toEqual(straight.final);
});

test('staleness 1 is not staleness 0: the same run ends elsewhere', async () => {
  const stale = await train({ ...config, epochs: 1 }, { outDir: dir(), resume: false, force: true, progress: silent });
  const fresh = await train(
    { ...config, epochs: 1, staleness: 0 },
    { outDir: dir(), resume: false, force: true, progress: silent },
  );
  expect(stale.final!.testLoss).not.toBe(fresh.final!.testLoss);
});

const cli = (...args: string[]) =>
  spawnSync(
    'node',
    [
      'src/cli/alrflow.mjs',
      'train',
      '--model',
      'mlp',
      '--dataset',
      'iris',
      '--method',
      'alr',
      '--out',
      join(dir(), 'run'),
      ...args,
    ],
    { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname },
  );

test.each([
  [['--schedule', 'layer-pipelined', '--staleness', '2'], /--staleness: found "2", allowed: 0, 1/],
  [['--schedule', 'gpipe'], /--schedule: found "gpipe" with --method alr/],
])('bad schedule flags exit 2 with the allowed values: %j', (args, message) => {
  const run = cli(...args);
  expect(run.stderr).toMatch(message);
  expect(run.status).toBe(2);
  expect(run.stderr).not.toMatch(/\n\s+at /);
});

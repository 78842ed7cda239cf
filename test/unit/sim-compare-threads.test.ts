// compare on worker threads gives the report a single thread gives, a row that outgrows its thread's
// heap cap is simulated again on an uncapped thread, and a row's error is raised as on one thread
// (the main thread simulates that row again).
import { expect, test } from 'vitest';
import { compareRows, runCompare } from '../../sim/compare.js';
import { runRow } from '../../sim/compare-row.js';
import { rowsOnThreads } from '../../sim/compare-threads.js';
import { ConfigError } from '../../src/errors.js';

const base = { model: 'mlp', hw: 'multicore-16', copies: 8, batch: 16, iterations: 2 };

test('two threads give the rows one thread gives, in the same order', async () => {
  const progress: number[] = [];
  const threaded = await runCompare(base, (f) => progress.push(f), 2);
  const single = await runCompare(base);
  expect(JSON.stringify(threaded)).toBe(JSON.stringify(single));
  expect(threaded.rows.some((r) => r.infeasible === undefined && r.iterationsPerSecond > 0)).toBe(true);
  expect(progress.at(-1)).toBe(1);
}, 120_000);

test("a row's error on a thread is raised as on one thread", async () => {
  const bad = { ...base, stages: 9999 };
  const single = await runCompare(bad).catch((e: unknown) => e);
  const threaded = await runCompare(bad, undefined, 2).catch((e: unknown) => e);
  expect(single).toBeInstanceOf(ConfigError);
  expect(threaded).toBeInstanceOf(ConfigError);
  expect((threaded as Error).message).toBe((single as Error).message);
}, 120_000);

test('rows whose thread outgrows its heap cap run again uncapped, with the same figures', async () => {
  const choices = compareRows();
  const tiny = { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 };
  const threaded = await rowsOnThreads(base, choices, 2, undefined, { first: tiny, other: tiny });
  const single = [];
  for (const choice of choices) single.push(await runRow(base, choice));
  expect(threaded.outcomes).toEqual(single);
  expect(threaded.uncappedThreads).toBe(2);
  expect(threaded.mainThreadRows).toEqual([]);
  const roomy = await rowsOnThreads(base, choices, 2);
  expect(roomy.outcomes).toEqual(single);
  expect(roomy.uncappedThreads).toBe(0);
}, 120_000);

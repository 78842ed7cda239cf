// A 54-point sweep (a tiny MLP, real compile + simulate) gives identical result rows with 1 local
// worker thread, with 2, and through the Redis queue with 2 `alrflow worker` processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runSweep } from '../../src/sweep/run-sweep.js';
import type { PointResult } from '../../src/sweep/types.js';
import { redisAvailable, redisSkipReason, startRedis, type RedisServer } from '../fixtures/sweep-redis.js';

const root = resolve(import.meta.dirname, '../..');
const specPath = join(root, 'test/fixtures/sweep-small.json');

function savedRows(dir: string): PointResult[] {
  const rows = readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as PointResult);
  return rows.sort((a, b) => (a.key < b.key ? -1 : 1));
}

if (!redisAvailable) console.warn(`sweep-parallel: ${redisSkipReason}`);

const outDir = (): string => mkdtempSync(join(tmpdir(), 'sweep-par-'));

describe('sweep parallelism', () => {
  let oneWorker: PointResult[] = [];

  beforeAll(async () => {
    const dir = outDir();
    const outcome = await runSweep({ specPath, outDir: dir, workers: 1 });
    expect(outcome.total).toBeGreaterThanOrEqual(50);
    oneWorker = savedRows(dir);
  });

  test('the single-worker sweep saved every point once, with metrics', () => {
    expect(oneWorker).toHaveLength(54);
    expect(new Set(oneWorker.map((r) => r.key)).size).toBe(54);
    const ok = oneWorker.filter((r) => r.status === 'ok');
    expect(ok.length).toBeGreaterThan(0);
    for (const r of ok) expect(r.iterationsPerSecond).toBeGreaterThan(0);
  });

  test('2 worker threads give identical rows', async () => {
    const dir = outDir();
    await runSweep({ specPath, outDir: dir, workers: 2 });
    expect(savedRows(dir)).toEqual(oneWorker);
  });

  describe.skipIf(!redisAvailable)('through Redis', () => {
    let redis: RedisServer;
    const workers: ChildProcess[] = [];
    beforeAll(async () => {
      redis = await startRedis();
      for (let i = 0; i < 2; i++) {
        workers.push(
          spawn(process.execPath, ['src/cli/alrflow.mjs', 'worker', '--queue', redis.url, '--workers', '1'], {
            cwd: root,
            stdio: 'ignore',
          }),
        );
      }
    });
    afterAll(async () => {
      for (const w of workers) w.kill('SIGKILL');
      await redis?.stop();
    });

    test('the queue with 2 worker processes gives identical rows', async () => {
      const dir = outDir();
      await runSweep({ specPath, outDir: dir, queue: redis.url });
      expect(savedRows(dir)).toEqual(oneWorker);
    });
  });
});

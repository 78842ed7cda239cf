// Crash safety with the evaluator test double (slow points, an evaluation log): killing the
// coordinator and resuming recomputes nothing already saved; killing a queue worker mid-point
// still ends with every point saved exactly once; an unreachable Redis is a clear, quick error.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import type { PointResult } from '../../src/sweep/types.js';
import { freePort, redisAvailable, redisSkipReason, startRedis } from '../fixtures/sweep-redis.js';

const root = resolve(import.meta.dirname, '../..');
const specPath = join(root, 'test/fixtures/sweep-small.json');
const evaluator = join(root, 'test/fixtures/sweep-fake-evaluator.ts');
const cli = (args: string[], env: Record<string, string>) =>
  spawn(process.execPath, ['src/cli/alrflow.mjs', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });

const jsonlLines = (dir: string): string[] =>
  existsSync(join(dir, 'results.jsonl'))
    ? readFileSync(join(dir, 'results.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
/** The evaluation log: one "KEY PID" line per evaluated point. */
const logLines = (file: string): string[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
const loggedKeys = (file: string): string[] => logLines(file).map((l) => l.split(' ')[0]!);
/** Keys of complete rows (a torn last line does not parse and is not counted as saved). */
const savedKeys = (dir: string): string[] =>
  jsonlLines(dir).flatMap((l) => {
    try {
      return [(JSON.parse(l) as PointResult).key];
    } catch {
      return [];
    }
  });

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

if (!redisAvailable) console.warn(`sweep-kill: ${redisSkipReason}`);

describe('sweep crash safety', () => {
  test('killing the coordinator, then --resume, recomputes nothing already saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-kill-'));
    const [log1, log2] = [join(dir, 'eval1.log'), join(dir, 'eval2.log')];
    const first = cli(['sweep', '--spec', specPath, '--out', dir, '--workers', '2', '--evaluator', evaluator], {
      SWEEP_FAKE_DELAY_MS: '60',
      SWEEP_FAKE_LOG: log1,
    });
    await waitFor(() => jsonlLines(dir).length >= 10, 60_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const saved = new Set(savedKeys(dir));
    expect(saved.size).toBeGreaterThanOrEqual(10);
    expect(saved.size).toBeLessThan(54);
    const again = spawnSync(
      process.execPath,
      [
        'src/cli/alrflow.mjs',
        'sweep',
        '--spec',
        specPath,
        '--out',
        dir,
        '--workers',
        '2',
        '--resume',
        '--evaluator',
        evaluator,
      ],
      { cwd: root, env: { ...process.env, SWEEP_FAKE_LOG: log2 }, encoding: 'utf8' },
    );
    expect(again.status, again.stderr).toBe(0);
    const recomputed = loggedKeys(log2);
    expect(recomputed.filter((k) => saved.has(k))).toEqual([]);
    expect(recomputed.length).toBe(54 - saved.size);
    const keys = savedKeys(dir);
    expect(keys).toHaveLength(54);
    expect(new Set(keys).size).toBe(54);
  });

  test('without --resume or --force an existing results folder is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-kill-'));
    await runSweep({ specPath, outDir: dir, workers: 1, evaluatorModule: evaluator });
    await expect(runSweep({ specPath, outDir: dir, workers: 1, evaluatorModule: evaluator })).rejects.toThrow(
      /--resume/,
    );
  });

  test.skipIf(!redisAvailable)('killing a queue worker mid-sweep still saves every point exactly once', async () => {
    const redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'sweep-kill-'));
    const log = join(dir, 'eval.log');
    const env = { SWEEP_FAKE_DELAY_MS: '150', SWEEP_FAKE_LOG: log };
    const args = ['worker', '--queue', redis.url, '--workers', '2', '--lock-ms', '1000', '--evaluator', evaluator];
    const [victim, survivor] = [cli(args, env), cli(args, env)];
    try {
      const sweep = runSweep({ specPath, outDir: dir, queue: redis.url });
      // Kill only once the victim has evaluated a point, so it dies mid-sweep even when a loaded
      // machine starts it later than the survivor.
      await waitFor(
        () => jsonlLines(dir).length >= 8 && logLines(log).some((l) => l.endsWith(` ${victim.pid}`)),
        60_000,
      );
      victim.kill('SIGKILL');
      await sweep;
      const keys = savedKeys(dir);
      expect(keys).toHaveLength(54);
      expect(new Set(keys).size).toBe(54);
      // The victim was working when it died (its points in flight were retried by the survivor).
      expect(logLines(log).some((l) => l.endsWith(` ${victim.pid}`))).toBe(true);
      expect(new Set(loggedKeys(log)).size).toBe(54);
    } finally {
      victim.kill('SIGKILL');
      survivor.kill('SIGKILL');
      await redis.stop();
    }
  });

  test('an unreachable Redis is a clear error naming the address, within seconds', async () => {
    const port = await freePort();
    const started = Date.now();
    const worker = spawnSync(
      process.execPath,
      ['src/cli/alrflow.mjs', 'worker', '--queue', `redis://127.0.0.1:${port}`],
      { cwd: root, encoding: 'utf8', timeout: 30_000 },
    );
    expect(worker.status).toBe(2);
    expect(worker.stderr).toContain(`127.0.0.1:${port}`);
    expect(worker.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(15_000);
    const t = Date.now();
    const dir = mkdtempSync(join(tmpdir(), 'sweep-kill-'));
    const error = await runSweep({ specPath, outDir: dir, queue: `redis://127.0.0.1:${port}` }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - t).toBeLessThan(6_000);
  });
});

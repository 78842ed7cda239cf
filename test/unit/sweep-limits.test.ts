// Sweep resource limits (the built command, the evaluator test double): --workers above the core
// count runs one thread per core with a warning, and the whole process stays under 2 x cores + 16
// threads; a million-point spec exits 2 within seconds and creates nothing; --resume with --force
// and a bad --queue are refused before the results folder exists; progress starts with the count.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { buildCli, root } from '../fixtures/built-cli.js';

const cli = buildCli();
afterAll(() => cli.remove());
const dir = mkdtempSync(join(tmpdir(), 'alrflow-sweep-limits-'));
const spec = join(root, 'test/fixtures/sweep-small.json');
const evaluator = join(root, 'test/fixtures/sweep-fake-evaluator.ts');
const cores = availableParallelism();

/** Threads of a live process, from /proc (Linux). */
const threads = (pid: number): number => {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
};

test.skipIf(!existsSync('/proc/self/task'))(
  '--workers 1000: one thread per core, a warning, under 2 x cores + 16 threads',
  async () => {
    const out = join(dir, 'many');
    const child = spawn(
      process.execPath,
      [cli.entry, 'sweep', '--spec', spec, '--out', out, '--workers', '1000', '--evaluator', evaluator],
      {
        cwd: root,
        env: { ...process.env, SWEEP_FAKE_DELAY_MS: '40' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, threads(child.pid!))), 20);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sampler);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`--workers 1000 is more than the ${cores} cores here; using ${cores}`);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2 * cores + 16);
    expect(readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(54);
    const firstProgress = stderr.indexOf('sweep: 1/54 points');
    expect(stderr.indexOf('sweep: 54 points')).toBeGreaterThanOrEqual(0);
    expect(firstProgress).toBeGreaterThan(stderr.indexOf('sweep: 54 points'));
  },
  60_000,
);

test('a million-point spec exits 2 within seconds and creates nothing; --max-points raises the cap', () => {
  const million = join(dir, 'million.json');
  const base = JSON.parse(readFileSync(spec, 'utf8')) as Record<string, unknown>;
  const hwRanges = { 'cores.systolic[0].rows': { min: 1, max: 1_000_000, step: 1 } };
  writeFileSync(million, JSON.stringify({ ...base, copies: [2], batch: [2], hwRanges }));
  const out = join(dir, 'million-out');
  const started = Date.now();
  const r = cli.run(['sweep', '--spec', million, '--out', out]);
  expect(Date.now() - started).toBeLessThan(5000);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('the grid has 1000000 points; allowed: at most --max-points 100000');
  expect(existsSync(out)).toBe(false);
  const small = cli.run(['sweep', '--spec', spec, '--out', out, '--max-points', '10']);
  expect(small.status).toBe(2);
  expect(small.stderr).toContain('the grid has 54 points; allowed: at most --max-points 10');
});

test('--resume with --force, and a bad --queue, are refused before the results folder is created', () => {
  const out = join(dir, 'refused');
  const both = cli.run(['sweep', '--spec', spec, '--out', out, '--resume', '--force']);
  expect(both.status).toBe(2);
  expect(both.stderr).toContain('--resume and --force: found both');
  const queue = cli.run(['sweep', '--spec', spec, '--out', out, '--queue', 'http://example']);
  expect(queue.status).toBe(2);
  expect(queue.stderr).toContain('--queue: found "http://example"; allowed: redis://HOST:PORT');
  const unreachable = cli.run(['sweep', '--spec', spec, '--out', out, '--queue', 'redis://127.0.0.1:1']);
  expect(unreachable.status).toBe(2);
  expect(unreachable.stderr).toContain('cannot reach Redis at 127.0.0.1:1');
  expect(existsSync(out)).toBe(false);
});

test('a sampled spec over a ten-million-value range runs at once (the range is never listed whole)', () => {
  const sampled = join(dir, 'sampled.json');
  const base = JSON.parse(readFileSync(spec, 'utf8')) as Record<string, unknown>;
  const hwRanges = { 'cores.systolic[0].rows': { min: 1, max: 10_000_000, step: 1 } };
  writeFileSync(sampled, JSON.stringify({ ...base, copies: [2], batch: [2], hwRanges, sample: { count: 5, seed: 1 } }));
  const started = Date.now();
  const r = cli.run([
    'sweep',
    '--spec',
    sampled,
    '--out',
    join(dir, 'sampled-out'),
    '--evaluator',
    evaluator,
    '--json',
  ]);
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(r.status, r.stderr).toBe(0);
  expect((JSON.parse(r.stdout) as { total: number }).total).toBe(5);
});

test('a results folder already holding a sweep is refused before the spec is read', () => {
  const out = join(dir, 'taken');
  mkdirSync(out);
  writeFileSync(join(out, 'results.jsonl'), '');
  const r = cli.run(['sweep', '--spec', join(dir, 'no-such-spec.json'), '--out', out]);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(`--out ${out}: already holds results.jsonl`);
  expect(r.stderr).not.toContain('no-such-spec');
});

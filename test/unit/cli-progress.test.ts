// Progress of long commands: a bar with ETA on a terminal (run under a pseudo-terminal with
// script(1)), plain "N% done, ETA S s" lines off one at most every two seconds, nothing with --quiet,
// never on stdout; and the documented iteration cap of simulate with its message.
import { spawnSync } from 'node:child_process';
import { afterAll, expect, test, vi } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';
import { runSimJob } from '../../sim/job.js';
import { buildCli, root } from '../fixtures/built-cli.js';

const cli = buildCli();
afterAll(() => cli.remove());

test('off a terminal: plain lines, at most one per two seconds, with percentage and ETA', async () => {
  vi.useFakeTimers({ now: 0 });
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  const progress = await createProgress('simulate', { stream });
  vi.setSystemTime(1000);
  progress.update(0.1);
  vi.setSystemTime(2500);
  progress.update(0.25);
  vi.setSystemTime(3000);
  progress.update(0.3);
  vi.setSystemTime(5000);
  progress.update(0.5);
  progress.stop();
  vi.useRealTimers();
  // 25% after 2.5 s leaves 7.5 s; 50% after 5 s leaves 5 s.
  expect(lines).toEqual(['simulate: 25% done, ETA 8 s\n', 'simulate: 50% done, ETA 5 s\n']);
  const quiet = await createProgress('simulate', { quiet: true, stream });
  quiet.update(0.9);
  expect(lines).toHaveLength(2);
});

test('on a terminal: a bar with ETA on stderr; stdout keeps the JSON alone', () => {
  const command = `node ${cli.entry} simulate --model resnet9 --iterations 60 --json 2>/dev/tty | node -e "JSON.parse(require('fs').readFileSync(0))"`;
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stdout).toBe(0);
  expect(r.stdout).toMatch(/simulate \[[█░]+\] \d+% \| ETA/);
});

test('--quiet prints no progress; simulate progress reaches the report unchanged', async () => {
  const quiet = cli.run(['simulate', '--model', 'resnet9', '--iterations', '20', '--quiet', '--json']);
  expect(quiet.status, quiet.stderr).toBe(0);
  expect(quiet.stderr).not.toMatch(/ETA|% done/);
  expect(quiet.stderr).not.toContain('cycles total');
  const seen: number[] = [];
  const job = {
    model: 'resnet9',
    method: 'alr',
    copies: 64,
    batch: 32,
    schedule: 'layer-pipelined',
    hw: 'multicore-16',
    iterations: 20,
  } as const;
  const withProgress = await runSimJob(job, (f) => seen.push(f));
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1]!))).toBe(true);
  expect(withProgress.cycles.total).toBe((await runSimJob(job)).cycles.total);
});

test('--iterations above the documented cap of 100000 is refused before any work', () => {
  const r = cli.run(['simulate', '--iterations', '100001']);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--iterations: found 100001, allowed: at most 100000');
});

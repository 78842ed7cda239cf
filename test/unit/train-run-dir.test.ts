// Training runs on disk: a run that fails validation leaves nothing behind (no run directory, no
// config.json), so a rerun is not refused; --resume reads the saved settings, may extend --epochs or
// change --checkpoint-every, and names every other option that differs from the saved run.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { buildCli } from '../fixtures/built-cli.js';

const cli = buildCli();
afterAll(() => cli.remove());
const dir = mkdtempSync(join(tmpdir(), 'alrflow-run-dir-'));
const base = [
  'train',
  '--model',
  'mlp',
  '--dataset',
  'iris',
  '--method',
  'alr',
  '--copies',
  '4',
  '--hidden',
  '4',
  '--backend',
  'reference',
  '--quiet',
];

test('a run failing validation leaves nothing; the corrected rerun starts without --force', () => {
  const out = join(dir, 'failed');
  const bad = cli.run([...base, '--batch', '100000', '--out', out]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('--batch 100000: larger than the 120 training samples');
  expect(existsSync(out)).toBe(false);
  const good = cli.run([...base, '--batch', '16', '--epochs', '1', '--out', out]);
  expect(good.status, good.stderr).toBe(0);
  expect(existsSync(join(out, 'config.json'))).toBe(true);
});

test('--resume takes the saved settings; only epochs and checkpoint interval may change', () => {
  const out = join(dir, 'resumed');
  expect(cli.run([...base, '--batch', '16', '--epochs', '1', '--out', out]).status).toBe(0);
  const steps = (): number => readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
  const before = steps();
  const longer = cli.run(['train', '--out', out, '--resume', '--epochs', '2', '--checkpoint-every', '3', '--quiet']);
  expect(longer.status, longer.stderr).toBe(0);
  const saved = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as {
    epochs: number;
    checkpointEvery: number;
    method: string;
  };
  expect([saved.epochs, saved.checkpointEvery, saved.method]).toEqual([2, 3, 'alr']);
  expect(steps()).toBeGreaterThan(before);
  const same = cli.run(['train', '--out', out, '--resume', '--method', 'alr', '--copies', '4', '--quiet']);
  expect(same.status, same.stderr).toBe(0);
  const changed = cli.run(['train', '--out', out, '--resume', '--method', 'lr', '--seed', '2', '--lr', '0.5']);
  expect(changed.status).toBe(2);
  for (const flag of ['--method is "lr" now but "alr"', '--seed is "2" now but 1', '--lr is "0.5" now but 0.01'])
    expect(changed.stderr).toContain(flag);
  expect(changed.stderr).toContain('allowed to change on --resume: --epochs, --checkpoint-every, --report');
});

test('--resume without a saved run, and a fresh run without --model/--dataset/--method, exit 2 naming what is missing', () => {
  const none = cli.run(['train', '--out', join(dir, 'none'), '--resume']);
  expect(none.status).toBe(2);
  expect(none.stderr).toMatch(/config\.json not found; there is no run to resume/);
  const fresh = cli.run(['train', '--out', join(dir, 'fresh')]);
  expect(fresh.status).toBe(2);
  for (const flag of ['--model: missing', '--dataset: missing', '--method: missing'])
    expect(fresh.stderr).toContain(flag);
  expect(existsSync(join(dir, 'fresh'))).toBe(false);
});

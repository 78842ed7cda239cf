// --report on train and probe: the HTML is written at the end, and an existing file is refused
// (exit 2, before any work) unless --force.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const cli = (args: string[]) => spawnSync('node', ['src/cli/alrflow.mjs', ...args], { encoding: 'utf8' });

/** The page data the report embeds for its client script. */
function pageData(html: string): Record<string, unknown> {
  const match = /<script id="alrflow-data" type="application\/json">([\s\S]*?)<\/script>/.exec(
    readFileSync(html, 'utf8'),
  );
  return JSON.parse(match?.[1] ?? 'null') as Record<string, unknown>;
}

test('probe --report writes the page once and refuses to overwrite it', () => {
  const html = join(mkdtempSync(join(tmpdir(), 'probe-report-')), 'probe.html');
  const args = [
    'probe',
    '--model',
    'mlp',
    '--dataset',
    'iris',
    '--method',
    'alr',
    '--copies',
    '4',
    '--batch',
    '8',
    '--backend',
    'reference',
    '--hidden',
    '4',
    '--report',
    html,
  ];
  expect(cli(args).status).toBe(0);
  expect(pageData(html)['probe']).toBeDefined();
  const again = cli(args);
  expect(again.status).toBe(2);
  expect(again.stderr).toMatch(/--report: .*probe\.html already exists.*--force/);
  expect(cli([...args, '--force']).status).toBe(0);
});

test('train --report draws the learning curves of the finished run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'train-report-'));
  const html = join(dir, 'train.html');
  const run = cli([
    'train',
    '--model',
    'mlp',
    '--dataset',
    'iris',
    '--method',
    'alr',
    '--copies',
    '4',
    '--batch',
    '16',
    '--epochs',
    '1',
    '--hidden',
    '4',
    '--backend',
    'reference',
    '--quiet',
    '--out',
    join(dir, 'run'),
    '--report',
    html,
  ]);
  expect(run.status).toBe(0);
  expect(existsSync(html)).toBe(true);
  expect(pageData(html)['train']).toBeDefined();
});

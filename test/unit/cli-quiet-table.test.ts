// --quiet prints nothing but errors on simulate and compare (no progress, no table, no "wrote FILE"),
// and compare's table is not printed beside its JSON on stdout; without either the table is printed.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { buildCli } from '../fixtures/built-cli.js';

const cli = buildCli();
afterAll(() => cli.remove());
const dir = mkdtempSync(join(tmpdir(), 'alrflow-quiet-'));
const simulate = ['simulate', '--model', 'mlp', '--iterations', '2'];
const compare = ['compare', '--model', 'mlp', '--iterations', '1', '--copies', '4', '--batch', '4'];

test('simulate --quiet prints nothing; the report file is still written', () => {
  const plain = cli.run(simulate);
  expect(plain.status, plain.stderr).toBe(0);
  expect(plain.stdout).toContain('cycles total');
  const file = join(dir, 'sim.json');
  const quiet = cli.run([...simulate, '--quiet', '--json-file', file]);
  expect(quiet.status, quiet.stderr).toBe(0);
  expect(quiet.stdout).toBe('');
  expect(quiet.stderr).toBe('');
  expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('kind', 'sim-report');
  const json = cli.run([...simulate, '--quiet', '--json']);
  expect(json.stderr).toBe('');
  expect(JSON.parse(json.stdout)).toHaveProperty('kind', 'sim-report');
});

test('compare: the table without --json, none with --json, --json-file - or --quiet', () => {
  const plain = cli.run(compare);
  expect(plain.status, plain.stderr).toBe(0);
  expect(plain.stdout).toMatch(/^method +schedule +iter\/s/m);
  for (const extra of [['--json'], ['--json-file', '-'], ['--json', '--quiet']]) {
    const r = cli.run([...compare, ...extra]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('kind', 'compare-report');
    expect(r.stderr, extra.join(' ')).not.toMatch(/iter\/s|bp-sequential/);
  }
  const quiet = cli.run([...compare, '--quiet']);
  expect(quiet.status, quiet.stderr).toBe(0);
  expect(quiet.stdout).toBe('');
  expect(quiet.stderr).toBe('');
});

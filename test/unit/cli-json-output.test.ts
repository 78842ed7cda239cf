// The output convention over every command that has --json: stdout holds exactly one JSON document
// (JSON.parse of all of it passes) and progress goes to stderr, `--json-file -` prints the same,
// `--json-file FILE` writes it; every output path is checked before any work (an existing file, two
// outputs on stdout are refused at once with exit 2, and a refused run creates no missing folder);
// `-` is stdout for --report, --trace and report --out.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, expect, test } from 'vitest';
import { commands } from '../../src/cli/command-list.js';
import { buildCli, tinyIrisTrainArgs } from '../fixtures/built-cli.js';

const cli = buildCli();
afterAll(() => cli.remove());
const dir = mkdtempSync(join(tmpdir(), 'alrflow-json-'));

/** Small, fast arguments for each command that has --json. */
const cases: Record<string, string[]> = {
  simulate: ['simulate', '--model', 'mlp', '--iterations', '2'],
  compare: ['compare', '--model', 'mlp', '--iterations', '1', '--copies', '4', '--batch', '4'],
  compile: ['compile', '--model', 'mlp', '--method', 'alr', '--schedule', 'sequential', '--hw', 'edge-npu'],
  demo: ['demo', '--copies', '4'],
  probe: [
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
    '--hidden',
    '4',
    '--backend',
    'reference',
  ],
  'hw list': ['hw', 'list'],
  'hw show': ['hw', 'show', 'edge-npu'],
  models: ['models'],
  backends: ['backends'],
};

/** Commands whose --json has no --json-file twin (they write their own files): fresh outputs on each call. */
const savedSim = join(dir, 'saved-sim.json');
const fresh = (name: string): string => join(dir, `${name}-${Math.random().toString(36).slice(2, 8)}`);
const stdoutOnly: Record<string, () => string[]> = {
  train: () => [...tinyIrisTrainArgs, '--batch', '16', '--out', fresh('run')],
  sweep: () => [
    'sweep',
    '--spec',
    'test/fixtures/sweep-small.json',
    '--out',
    fresh('sweep'),
    '--workers',
    '1',
    '--evaluator',
    'test/fixtures/sweep-fake-evaluator.ts',
  ],
  scalesim: () => [
    'scalesim',
    '--config',
    'test/fixtures/scalesim-cases/os32.cfg',
    '--topology',
    'test/fixtures/scalesim-cases/topo_gemm.csv',
    '--gemm',
    '--out',
    fresh('scalesim'),
  ],
  'hw check': () => ['hw', 'check', 'hw-models/edge-npu.json'],
  report: () => ['report', savedSim, '--out', `${fresh('report')}.html`],
  start: () => ['start', '--force'],
};
/** Measures this machine for about 25 s: its --json is checked by hand (README), not on every test run. */
const tooSlow = ['hw calibrate'];

function commandsWithJson(): string[] {
  const program = new Command('alrflow');
  for (const c of commands) c.register(program);
  const walk = (cmd: Command, words: string[]): string[] => [
    ...(cmd.options.some((o) => o.long === '--json') ? [words.join(' ')] : []),
    ...cmd.commands.flatMap((sub) => walk(sub, [...words, sub.name()])),
  ];
  return walk(program, []).sort();
}

test('every command with --json has a case here', () => {
  expect(commandsWithJson()).toEqual([...Object.keys(cases), ...Object.keys(stdoutOnly), ...tooSlow].sort());
});

test.each(Object.entries(stdoutOnly))(
  '%s --json: stdout is one JSON document, the words go to stderr',
  (name, args) => {
    const cwd = name === 'start' ? mkdtempSync(join(tmpdir(), 'alrflow-start-')) : undefined;
    if (name === 'report')
      expect(
        cli.run(['simulate', '--model', 'mlp', '--iterations', '1', '--json-file', savedSim, '--force']).status,
      ).toBe(0);
    const r = cli.run([...args(), '--json'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    const value = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(typeof value.kind).toBe('string');
    if (name === 'train') expect(r.stderr).toMatch(/step \d+\/\d+ epoch 1/);
    if (name === 'sweep') expect(r.stderr).toContain('sweep: 54 points');
    const quiet = cli.run([...args(), '--json', '--quiet'], { cwd });
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/ETA|step \d+\/|points, \d+ already saved|^wrote /m);
  },
  60_000,
);

test.each(Object.entries(cases))(
  '%s --json: stdout is one JSON document; --json-file - and FILE hold the same',
  (name, args) => {
    const r = cli.run([...args, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const value: unknown = JSON.parse(r.stdout);
    expect(value).not.toBeNull();
    const file = join(dir, `${name.replace(' ', '-')}.json`);
    const toFile = cli.run([...args, '--json-file', file]);
    expect(toFile.status, toFile.stderr).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toEqual(Object.keys(value as object));
    const dash = cli.run([...args, '--json-file', '-']);
    expect(Object.keys(JSON.parse(dash.stdout) as object)).toEqual(Object.keys(value as object));
  },
);

test('output paths are checked before the work: existing file, missing folder, two stdouts, one message each', () => {
  const existing = join(dir, 'existing.json');
  writeFileSync(existing, 'mine');
  const started = Date.now();
  const r = cli.run([
    'simulate',
    '--iterations',
    '1000000',
    '--json-file',
    existing,
    '--report',
    join(dir, 'no/such/folder.html'),
    '--trace',
    '-',
    '--json',
  ]);
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(`--json-file: ${existing} already exists`);
  expect(existsSync(join(dir, 'no'))).toBe(false);
  expect(r.stderr).toContain('--json and --trace: all write to stdout');
  expect(readFileSync(existing, 'utf8')).toBe('mine');
  const same = cli.run([
    'simulate',
    '--model',
    'mlp',
    '--iterations',
    '1',
    '--json-file',
    join(dir, 'a.json'),
    '--trace',
    join(dir, 'a.json'),
  ]);
  expect(same.status).toBe(2);
  expect(same.stderr).toMatch(/--trace: .*a\.json is already the --json-file file/);
});

test('- is stdout for --report, --trace and report --out; the table moves to stderr', () => {
  const html = cli.run(['simulate', '--model', 'mlp', '--iterations', '1', '--report', '-']);
  expect(html.status, html.stderr).toBe(0);
  expect(html.stdout.startsWith('<!doctype html>') || html.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html.stderr).toContain('cycles total');
  expect(existsSync('-')).toBe(false);
  const trace = cli.run(['simulate', '--model', 'mlp', '--iterations', '1', '--trace', '-']);
  expect(JSON.parse(trace.stdout)).toHaveProperty('traceEvents');
  const saved = join(dir, 'sim.json');
  expect(cli.run(['simulate', '--model', 'mlp', '--iterations', '1', '--json-file', saved]).status).toBe(0);
  const page = cli.run(['report', saved, '--out', '-']);
  expect(page.status, page.stderr).toBe(0);
  expect(page.stdout).toMatch(/^<!doctype html>/i);
  const csv = cli.run([
    'scalesim',
    '--config',
    'test/fixtures/scalesim-cases/os32.cfg',
    '--topology',
    'test/fixtures/scalesim-cases/topo_gemm.csv',
    '--gemm',
    '--out',
    '-',
  ]);
  expect(csv.status, csv.stderr).toBe(0);
  expect(csv.stdout.split('\n')[0]).toMatch(/^LayerID, Total Cycles/);
});

// train --model FILE.json: a network file whose input and classes match the dataset trains (and
// prints the same graph as compile of that file); one that does not exits 2 naming both shapes.
// train --print-graph needs no --out and writes nothing; with --resume it prints the saved run's step.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { buildCli } from '../fixtures/built-cli.js';

const cli = buildCli();
afterAll(() => cli.remove());
const dir = mkdtempSync(join(tmpdir(), 'alrflow-train-file-'));

function networkFile(name: string, inputs: number, classes: number): string {
  const file = join(dir, `${name}.json`);
  const layers = [
    { kind: 'linear', name: 'fc1', inFeatures: inputs, outFeatures: 8 },
    { kind: 'tanh', name: 'act1' },
    { kind: 'linear', name: 'fc2', inFeatures: 8, outFeatures: classes },
  ];
  writeFileSync(file, JSON.stringify({ name, inputShape: [inputs], classes, layers }));
  return file;
}

const iris = ['--dataset', 'iris', '--method', 'alr', '--copies', '4', '--batch', '16', '--backend', 'reference'];

test('a network file that fits the dataset trains, and prints the graph compile prints', () => {
  const file = networkFile('iris-net', 4, 3);
  const out = join(dir, 'run');
  const run = cli.run(['train', '--model', file, ...iris, '--epochs', '1', '--quiet', '--out', out]);
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^done: alr on reference, test accuracy/);
  const trained = cli.run(['train', '--model', file, ...iris, '--print-graph']);
  const compiled = cli.run([
    'compile',
    '--model',
    file,
    '--method',
    'alr',
    '--copies',
    '4',
    '--batch',
    '16',
    '--print-graph',
  ]);
  expect(trained.status, trained.stderr).toBe(0);
  expect(trained.stdout).toMatch(/^graph iris-net method=alr copies=4 batch=16 /);
  expect(trained.stdout).toBe(compiled.stdout);
  const saved = cli.run(['train', '--resume', '--out', out, '--print-graph']);
  expect(saved.status, saved.stderr).toBe(0);
  expect(saved.stdout, 'the saved run prints its own step').toBe(trained.stdout);
});

test('a network file of other inputs or classes exits 2 naming both', () => {
  const run = cli.run(['train', '--model', networkFile('wide', 5, 3), ...iris, '--out', join(dir, 'wide-run')]);
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(
    /--model .*wide\.json: takes samples of shape \[5\] into 3 classes, but --dataset iris has \[4\] and 3 classes/,
  );
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(readdirSync(dir)).not.toContain('wide-run');
});

test('train --print-graph needs no --out, loads no data (CIFAR without its files) and writes nothing', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'alrflow-print-graph-'));
  const run = cli.run(['train', '--model', 'cnn', '--dataset', 'cifar10', '--method', 'bp', '--print-graph'], { cwd });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^graph cnn\S* method=bp /);
  expect(readdirSync(cwd)).toEqual([]);
  const noOut = cli.run(['train', '--model', 'mlp', '--dataset', 'iris', '--method', 'bp']);
  expect(noOut.status).toBe(2);
  expect(noOut.stderr).toMatch(/--out: missing, allowed: a run directory/);
});

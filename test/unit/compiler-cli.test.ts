// `alrflow compile` end to end: the JSON shows the ALR noise-storage saving, bad options exit 2
// with every problem and the allowed values, an infeasible mapping exits 3 with the shortfall.
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';

const cli = (...args: string[]) =>
  spawnSync('node', ['src/cli/alrflow.mjs', 'compile', ...args], {
    encoding: 'utf8',
    cwd: new URL('../..', import.meta.url).pathname,
  });

test('--json shows the ALR noise-storage saving, computed from two graphs', () => {
  const run = cli(
    '--model',
    'mlp',
    '--method',
    'alr',
    '--copies',
    '64',
    '--batch',
    '32',
    '--schedule',
    'layer-pipelined',
    '--hw',
    'multicore-16',
    '--json',
  );
  expect(run.status).toBe(0);
  const summary = JSON.parse(run.stdout);
  const saving = summary.noiseStorageSaving;
  expect(saving.keptNoiseBytes).toBe(summary.keptBytes['sign-bits']);
  // multicore-16 stores fp16 words: 16 bits of float noise against 1 sign bit, up to a word of padding per row block.
  expect(saving.ratio).toBeGreaterThan(15.9);
  expect(saving.ratio).toBeLessThanOrEqual(16);
  expect(saving.ratio).toBeCloseTo(saving.floatNoiseBytes / saving.keptNoiseBytes, 10);
  expect(summary.stages.length).toBeGreaterThan(0);
  expect(summary.feasibility.ok).toBe(true);
});

test('the table names stages, levels and feasibility', () => {
  const run = cli(
    '--model',
    'cnn',
    '--method',
    'lr',
    '--copies',
    '8',
    '--batch',
    '8',
    '--schedule',
    'layer-pipelined',
    '--hw',
    'edge-npu',
  );
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/stage\s+cores\s+est\. cycles/);
  expect(run.stdout).toMatch(/feasibility: ok/);
});

test('bad options exit 2 listing every problem with allowed values, no stack trace', () => {
  const run = cli('--model', 'vgg', '--method', 'sgd', '--copies', '0', '--schedule', 'pipelined', '--hw', 'edge-npu');
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/--method: found "sgd", allowed: bp, lr, alr, es, aes/);
  expect(run.stderr).toMatch(/--schedule: found "pipelined", allowed: sequential/);
  expect(run.stderr).toMatch(/--copies: found "0"/);
  expect(run.stderr).toMatch(/--model: unknown model "vgg"/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
});

test('an infeasible mapping exits 3 with the shortfall', () => {
  const run = cli(
    '--model',
    'resnet9',
    '--method',
    'lr',
    '--copies',
    '128',
    '--batch',
    '32',
    '--schedule',
    'layer-pipelined',
    '--hw',
    'edge-npu',
  );
  expect(run.status).toBe(3);
  expect(run.stderr).toMatch(/needs [\d.]+ \w+ on level lpddr4|live at peak on level lpddr4/);
  expect(run.stderr).toMatch(/under schedule layer-pipelined/);
});

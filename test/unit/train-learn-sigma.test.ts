// Learned sigma and the METHOD.md switches through the training loop and the CLI: a short Iris run
// with learned sigma learns (stated accuracy) and moves sigma, reporting it in train-report.json and
// the epoch metrics; a run killed mid-way and resumed ends with bit-identical weights, sigmas and
// optimizer states; ALR's kept bytes are not changed by learning sigma (magnitudes are regenerated,
// not kept); switch combinations the runtime cannot run are refused with exit 2, naming what is allowed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { mlp } from '../../src/models/builders.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { loadDataset } from '../../src/train/datasets/load-dataset.js';
import type { MetricsRow } from '../../src/train/metrics-log.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import type { MethodOptions } from '../../src/train/runtime/step-types.js';
import { train } from '../../src/train/train.js';
import { defaultTrainConfig } from '../../src/train/train-config.js';
import type { TrainReportFile } from '../../src/train/train-report-file.js';
import { silent } from '../fixtures/train-short-runs.js';
import { stepSource } from '../../src/compiler/step-source.js';

const cli = join(import.meta.dirname, '../../src/cli/alrflow.mjs');
const root = mkdtempSync(join(tmpdir(), 'alrflow-sigma-'));
const startSigma = 0.1;
const sigmaMin = 0.002;

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

describe('learned sigma in a short Iris run', () => {
  test.each(['lr', 'alr'] as const)(
    '%s --learn-sigma reaches test accuracy >= 0.85 and moves sigma, reported per layer and per epoch',
    async (method) => {
      const outDir = join(root, `short-${method}`);
      const summary = await train(
        {
          ...defaultTrainConfig,
          model: 'mlp',
          dataset: 'iris',
          method,
          copies: 16,
          batch: 16,
          epochs: 20,
          backend: 'reference',
          seed: 1,
          lr: 0.02,
          optimizer: 'adam',
          hidden: [16],
          sigma: startSigma,
          learnSigma: true,
          sigmaLr: 0.01,
          sigmaMin,
        },
        { outDir, resume: false, force: true, progress: silent },
      );
      const { test: split, classes } = loadDataset('iris', {});
      const majority =
        Math.max(...Array.from({ length: classes }, (_, c) => split.labels.filter((l) => l === c).length)) /
        split.count;
      expect(summary.final!.testAccuracy).toBeGreaterThanOrEqual(0.85);
      expect(summary.final!.testAccuracy).toBeGreaterThan(majority + 0.1);
      const report = JSON.parse(readFileSync(join(outDir, 'train-report.json'), 'utf8')) as TrainReportFile;
      const sigma = report.summary.sigma!;
      expect(Object.keys(sigma).sort()).toEqual(['fc1', 'fc2']);
      expect(sigma.fc1!.values).toHaveLength(16);
      expect(sigma.fc2!.values).toHaveLength(3);
      const all = Object.values(sigma).flatMap((s) => s.values);
      // Moved: Adam steps sigma by about sigmaLr per update, 140 updates; a runtime that never applies the sigma update leaves every value at 0.1.
      expect(Math.max(...all.map((v) => Math.abs(v - startSigma)))).toBeGreaterThan(0.02);
      expect(Math.min(...all)).toBeGreaterThanOrEqual(sigmaMin);
      const saved = readCheckpoint(join(outDir, 'checkpoint.bin')).arrays;
      for (const [layer, s] of Object.entries(sigma)) expect(s.values).toEqual([...saved[`sigma.${layer}`]!]);
      const epochs = readFileSync(join(outDir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as MetricsRow)
        .filter((r) => r.kind === 'epoch');
      expect(epochs).toHaveLength(21);
      expect(epochs[0]!.step).toBe(0);
      expect(epochs.at(-1)!.values['sigma.fc1']).toBeCloseTo(sigma.fc1!.mean, 12);
      expect(epochs.at(-1)!.values['sigma.mean']).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 12);
      const csv = readFileSync(join(outDir, 'metrics.csv'), 'utf8').trim().split('\n');
      const column = csv[0]!.split(',').indexOf('sigma.mean');
      expect(Number(csv.at(-1)!.split(',')[column])).toBeCloseTo(epochs.at(-1)!.values['sigma.mean']!, 12);
    },
  );
});

test('kill -9 mid-run with learned sigma, then --resume: identical weights, sigmas and optimizer states', async () => {
  const args = [
    'train',
    '--model',
    'mlp',
    '--dataset',
    'iris',
    '--method',
    'alr',
    '--copies',
    '16',
    '--batch',
    '16',
    '--hidden',
    '16',
    '--backend',
    'reference',
    '--optimizer',
    'sgd',
    '--lr',
    '0.02',
    '--epochs',
    '30',
    '--learn-sigma',
    '--sigma-lr',
    '0.005',
    '--antithetic',
    '--baseline',
    'leave-one-out',
    '--checkpoint-every',
    '7',
    '--quiet',
  ];
  const whole = join(root, 'whole');
  expect(run([...args, '--out', whole]).status).toBe(0);
  const cut = join(root, 'cut');
  const child = spawn(process.execPath, [cli, ...args, '--out', cut], { stdio: 'ignore' });
  const steps = (): number =>
    existsSync(join(cut, 'metrics.jsonl'))
      ? readFileSync(join(cut, 'metrics.jsonl'), 'utf8').split('"kind":"step"').length - 1
      : 0;
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
    const timer = setInterval(() => steps() >= 60 && child.kill('SIGKILL'), 20);
    child.on('exit', (_code, s) => (clearInterval(timer), resolve(s)));
  });
  expect(signal).toBe('SIGKILL');
  expect(readCheckpoint<{ step: number }>(join(cut, 'checkpoint.bin')).meta.step).toBeLessThan(210);
  const resumed = run([...args, '--out', cut, '--resume']);
  expect(resumed.status, resumed.stderr).toBe(0);
  const a = readCheckpoint(join(whole, 'checkpoint.bin')).arrays;
  const b = readCheckpoint(join(cut, 'checkpoint.bin')).arrays;
  expect(
    Object.keys(a)
      .filter((k) => k.startsWith('sigma.') || k.startsWith('sigma-opt.'))
      .sort(),
  ).toEqual(['sigma-opt.fc1', 'sigma-opt.fc2', 'sigma.fc1', 'sigma.fc2']);
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const [name, array] of Object.entries(a))
    expect(Buffer.from(b[name]!.buffer).equals(Buffer.from(array.buffer)), name).toBe(true);
  expect(a['sigma.fc1']!.some((v) => v !== 0.1)).toBe(true);
});

describe('runtime checks', () => {
  const network = mlp([4, 6, 3], 'relu');
  const batch = { x: Float64Array.from({ length: 8 }, (_, i) => Math.sin(i)), labels: Int32Array.of(0, 2), samples: 2 };
  const optimizer = { kind: 'sgd' as const, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const method = (m: Partial<MethodOptions>): MethodOptions => ({
    method: 'alr',
    copies: 4,
    sigma: 0.1,
    baseline: 'mean',
    encoding: 'sign-noise',
    antithetic: false,
    layerwise: false,
    ...m,
  });
  const keptOf = async (m: MethodOptions) => {
    const runtime = await Runtime.create({
      network: stepSource(network),
      backend: 'reference',
      method: m,
      seed: 1,
      optimizer,
    });
    return (await runtime.gradients(batch, 0)).keptBytes;
  };

  test('ALR keeps the same bytes with learned sigma (sign bits, no float noise); LR keeps its float noise', async () => {
    const learnSigma = { lr: 0.01, min: 1e-3 };
    const alr = await keptOf(method({}));
    expect(alr['sign-bits']).toBeGreaterThan(0);
    expect(await keptOf(method({ learnSigma }))).toEqual(alr);
    const lr = await keptOf(method({ method: 'lr', learnSigma }));
    expect(lr.noise).toBeGreaterThan(0);
    expect(lr['sign-bits']).toBe(0);
  });

  test('antithetic with an odd K and learned sigma for ES are refused', async () => {
    const odd = await Runtime.create({
      network: stepSource(network),
      backend: 'reference',
      method: method({ copies: 3, antithetic: true }),
      seed: 1,
      optimizer,
    });
    await expect(odd.gradients(batch, 0)).rejects.toThrow(InvalidInputError);
    await expect(odd.gradients(batch, 0)).rejects.toThrow(/even number of copies; found K = 3/);
    await expect(
      Runtime.create({
        network: stepSource(network),
        backend: 'reference',
        method: method({ method: 'es', learnSigma: { lr: 0.01, min: 1e-3 } }),
        seed: 1,
        optimizer,
      }),
    ).rejects.toThrow(/--learn-sigma with --method es: .*allowed with --method lr, alr/);
  });
});

describe('alrflow train refuses switch combinations the runtime cannot run (exit 2)', () => {
  const base = ['train', '--model', 'mlp', '--dataset', 'iris', '--backend', 'reference', '--quiet'];
  test.each([
    {
      args: [
        '--method',
        'bp',
        '--learn-sigma',
        '--antithetic',
        '--layerwise',
        '--encoding',
        'sign-signal',
        '--baseline',
        'mean',
      ],
      errors: [
        /--learn-sigma with --method bp: .*allowed with --method lr, alr/,
        /--antithetic with --method bp: .*allowed with --method lr, alr, es, aes/,
        /--layerwise: applies to lr and alr, found --method bp/,
        /--encoding with --method bp: .*allowed with --method alr/,
        /--baseline with --method bp: .*allowed with --method lr, alr, es, aes/,
      ],
    },
    {
      args: ['--method', 'es', '--learn-sigma', '--layerwise'],
      errors: [/--learn-sigma with --method es/, /--layerwise: applies to lr and alr, found --method es/],
    },
    {
      args: ['--method', 'alr', '--antithetic', '--copies', '7'],
      errors: [/--antithetic with --copies 7: .*allowed: an even K. Hint: --copies 8/],
    },
    {
      args: ['--method', 'lr', '--sigma-lr', '0.1', '--sigma-min', '0.5'],
      errors: [
        /--sigma-lr without --learn-sigma/,
        /--sigma-min without --learn-sigma/,
        /--sigma-min 0.5 is above --sigma 0.1/,
      ],
    },
    {
      args: ['--method', 'alr', '--encoding', 'sign-signal', '--baseline', 'none', '--qmc'],
      errors: [
        /sign-signal with --baseline none: .*allowed: --baseline mean \| leave-one-out/,
        /--qmc: .*allowed: omit --qmc/,
      ],
    },
  ])('$args', ({ args, errors }) => {
    const r = run([...base, ...args, '--out', join(root, 'refused')]);
    expect(r.status).toBe(2);
    for (const e of errors) expect(r.stderr).toMatch(e);
    expect(existsSync(join(root, 'refused'))).toBe(false);
  });
});

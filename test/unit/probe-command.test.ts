// alrflow probe: BP against itself is exactly aligned, LR/ALR cosine to BP rises with K and is close
// to 1 with a calibrated norm at large K on Iris (fixed seed; at K = 1024 the Monte-Carlo error of
// the cosine is a few thousandths, far from the 0.95 bound), and --json output is a valid ProbeReport.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { probeReportSchema } from '../../src/report/probe-report.js';
import { probe } from '../../src/train/probe.js';
import { writeCifar10 } from '../fixtures/cifar-files.js';

const base = {
  model: 'mlp',
  dataset: 'iris',
  batch: 32,
  backend: 'reference',
  seed: 1,
  sigma: 0.1,
  baseline: 'mean' as const,
  layerwise: false,
  hidden: [16],
};

describe('probe', () => {
  test('cosine to BP rises with K and is near 1 at K = 1024 with a calibrated norm', async () => {
    const report = await probe({ ...base, methods: ['bp', 'lr', 'alr'], copies: [8, 1024] });
    const bp = report.runs.find((r) => r.method === 'bp')!;
    for (const l of bp.layers) expect([l.cosineToBp, l.normRatio]).toEqual([1, 1]);
    for (const method of ['lr', 'alr']) {
      const [small, large] = report.runs.filter((r) => r.method === method);
      small!.layers.forEach((l, i) => expect(large!.layers[i]!.cosineToBp).toBeGreaterThan(l.cosineToBp));
      for (const l of large!.layers) {
        expect(l.cosineToBp).toBeGreaterThan(0.95);
        expect(l.normRatio).toBeGreaterThan(0.8);
        expect(l.normRatio).toBeLessThan(1.25);
      }
    }
  });

  test('--json prints a valid ProbeReport', () => {
    const cli = join(import.meta.dirname, '../../src/cli/alrflow.mjs');
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'probe',
        '--model',
        'mlp',
        '--dataset',
        'iris',
        '--method',
        'alr',
        '--copies',
        '16',
        '--hidden',
        '8',
        '--batch',
        '16',
        '--backend',
        'reference',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const parsed = probeReportSchema.parse(JSON.parse(r.stdout));
    expect(parsed.runs[0]!.layers.map((l) => l.layer)).toEqual(['fc1', 'fc2']);
  });

  test('--data-dir: a conv net probed on CIFAR-10 files (3 x 32 x 32 input, 10 classes)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'alrflow-probe-cifar-'));
    writeCifar10(dataDir, 2, 2);
    const report = await probe({
      ...base,
      model: 'cnn',
      dataset: 'cifar10',
      dataDir,
      batch: 4,
      methods: ['bp', 'lr'],
      copies: [4],
    });
    expect(report.runs.map((r) => r.method)).toEqual(['bp', 'lr']);
    for (const l of report.runs[0]!.layers) expect([l.cosineToBp, l.normRatio]).toEqual([1, 1]);
    for (const l of report.runs[1]!.layers) expect(Number.isFinite(l.cosineToBp) && l.normRatio > 0).toBe(true);
  });
});

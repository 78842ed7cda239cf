// Learning-rate schedules (pure functions of the step) and the metrics log's resume cut-back.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { epochPermutation } from '../../src/train/batches.js';
import { learningRateAt } from '../../src/train/lr-schedule.js';
import { MetricsLog } from '../../src/train/metrics-log.js';

describe('learning-rate schedules', () => {
  test('cosine: base rate at step 0, half at mid-run, decreasing to 0', () => {
    const s = { kind: 'cosine' as const, baseLr: 0.01, totalSteps: 100 };
    expect(learningRateAt(s, 0)).toBe(0.01);
    expect(learningRateAt(s, 50)).toBeCloseTo(0.005, 12);
    expect(learningRateAt(s, 100)).toBeCloseTo(0, 12);
    for (let i = 1; i <= 100; i++) expect(learningRateAt(s, i)).toBeLessThan(learningRateAt(s, i - 1));
  });
  test('step decay and linear warm-up', () => {
    expect(learningRateAt({ kind: 'step', baseLr: 1, totalSteps: 100, gamma: 0.5, everySteps: 10 }, 25)).toBe(0.25);
    expect(learningRateAt({ kind: 'constant', baseLr: 1, totalSteps: 100, warmupSteps: 4 }, 1)).toBe(0.5);
  });
  test('epoch permutations are pure in (seed, epoch) and differ across epochs', () => {
    expect(epochPermutation(100, 3, 2)).toEqual(epochPermutation(100, 3, 2));
    expect(epochPermutation(100, 3, 2)).not.toEqual(epochPermutation(100, 3, 1));
    expect([...epochPermutation(100, 3, 2)].sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
  });
});

describe('metrics log', () => {
  test('resume keeps rows up to the checkpoint step, drops later and partial ones, and rewrites the CSV', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alrflow-metrics-'));
    const log = new MetricsLog(dir);
    log.open(undefined);
    for (let step = 1; step <= 6; step++) log.append({ kind: 'step', step, epoch: 1, values: { loss: step } });
    new MetricsLog(dir).open(4);
    expect(log.rows().map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
  });
});

// Why a pipelined BP step whose weights stay on chip can get slower with more micro-batches on
// multicore-16: its 32x32 ws arrays load each fold's weights (R cycles) and skew and drain (R + C - 2)
// once per fold of every task, so each extra micro-batch pays 2R + C - 2 = 94 cycles per fold again
// while the rows streamed stay the same. The report's arrayFolds shows that split; the same chip with a
// second weight buffer in each array hides the load behind streaming, and 16 micro-batches are no
// longer slower than 4 there.
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { loadHwModel } from '../../src/hw/load.js';
import type { HwModel } from '../../src/hw/types.js';
import { buildModel } from '../../src/models/registry.js';
import { simulate } from '../../sim/simulate.js';

const hw = loadHwModel('multicore-16');
const doubleBuffered: HwModel = {
  ...hw,
  cores: { ...hw.cores, systolic: hw.cores.systolic.map((a) => ({ ...a, weightDoubleBuffered: true })) },
};

function run(model: string, schedule: 'gpipe' | '1f1b', microBatches: number, chip = hw) {
  const step = compile(buildModel(model, {}), chip, {
    method: 'bp',
    copies: 1,
    batch: 64,
    schedule,
    stages: 2,
    microBatches,
  });
  return simulate(step, { iterations: 3, timelineLimit: 0 });
}

describe('array folds', () => {
  test('MLP GPipe on multicore-16: the busiest array pays 2R + C - 2 cycles per fold, and its folds grow with m', () => {
    const [r, c] = [hw.cores.systolic[0]!.rows, hw.cores.systolic[0]!.cols];
    const reports = [1, 4, 16].map((m) => run('mlp', 'gpipe', m));
    for (const report of reports) {
      const a = report.arrayFolds!;
      expect(report.weights.offChipBytes).toBe(0);
      expect(a.busiest.foldOverheadCycles).toBe(a.busiest.folds * (2 * r + c - 2));
      expect(a.busiest.streamingCycles + a.busiest.foldOverheadCycles).toBe(a.busiest.computeCycles);
      expect(a.foldOverheadShare).toBeCloseTo(a.foldOverheadCycles / a.computeCycles, 12);
    }
    const [one, four, sixteen] = reports.map((x) => x.arrayFolds!.busiest);
    expect(four!.folds).toBeGreaterThan(3 * one!.folds);
    expect(sixteen!.folds).toBe(4 * four!.folds);
    expect(sixteen!.foldOverheadShare).toBeGreaterThan(0.75);
    expect(reports[2]!.throughput.iterationsPerSecond).toBeLessThan(reports[1]!.throughput.iterationsPerSecond);
  });

  test.each(['gpipe', '1f1b'] as const)(
    '%s ResNet-5: slower at m=16 than m=4 through the per-fold cost; with double-buffered weights not slower',
    (schedule) => {
      const [four, sixteen] = [run('resnet5', schedule, 4), run('resnet5', schedule, 16)];
      expect(sixteen.weights.offChipBytes).toBe(0);
      expect(sixteen.throughput.iterationsPerSecond).toBeLessThan(four.throughput.iterationsPerSecond);
      const [b4, b16] = [four.arrayFolds!.busiest, sixteen.arrayFolds!.busiest];
      expect(b16.streamingCycles).toBeLessThan(1.05 * b4.streamingCycles);
      expect(b16.foldOverheadCycles).toBeGreaterThan(1.4 * b4.foldOverheadCycles);
      const [db4, db16] = [run('resnet5', schedule, 4, doubleBuffered), run('resnet5', schedule, 16, doubleBuffered)];
      expect(db16.throughput.iterationsPerSecond).toBeGreaterThanOrEqual(db4.throughput.iterationsPerSecond);
      expect(db16.arrayFolds!.busiest.foldOverheadShare).toBeLessThan(0.15);
    },
  );

  test('a step with no array task has no arrayFolds', () => {
    const vectorOnly: HwModel = { ...hw, cores: { ...hw.cores, systolic: [] } };
    const report = run('mlp', 'gpipe', 1, vectorOnly);
    expect(report.arrayFolds).toBeUndefined();
  });
});

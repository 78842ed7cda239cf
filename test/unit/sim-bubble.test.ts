// The bubble ratio is the pipeline's fill and drain only: it falls with micro-batches as
// (p-1)/(m+p-1) does on a real network (GPipe, ResNet-9, multicore-16, 2 stages), it is 0 without
// a pipeline, and waits between the units of one core are reported apart (unitWaitRatio). A
// balanced pipeline whose micro-batch work shrinks with the micro-batch is not slower with more of them,
// and neither is a real network whose weights all stay on chip (ResNet-5, GPipe and 1F1B, 2 stages):
// on-chip weights are fetched once per step, not once per micro-batch.
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { loadHwModel } from '../../src/hw/load.js';
import { buildModel } from '../../src/models/registry.js';
import { simulate } from '../../sim/simulate.js';
import { uniformPipeline } from '../fixtures/sim-steps.js';

const hw = loadHwModel('multicore-16');
const resnet9 = buildModel('resnet9', {});
const resnet5 = buildModel('resnet5', {});

function gpipe(microBatches: number) {
  const step = compile(resnet9, hw, { method: 'bp', copies: 1, batch: 32, schedule: 'gpipe', stages: 2, microBatches });
  return simulate(step, { iterations: 2, timelineLimit: 0 });
}

describe('bubble ratio', () => {
  test('GPipe ResNet-9 on multicore-16, 2 stages: the bubble at m=16 is at most 0.3 of m=1', () => {
    const [one, sixteen] = [gpipe(1), gpipe(16)];
    expect(one.bubbleRatio).toBeGreaterThan(0.2);
    expect(sixteen.bubbleRatio).toBeLessThanOrEqual(0.3 * one.bubbleRatio);
    expect(sixteen.unitWaitRatio).toBe(sixteen.cycleShares.dependency);
    // Short row shards are split on a grid of the output, gradient products over their columns
    // (pipelineGridOf, pipelineGradOutputSplit): m = 16 is not slower than m = 1 (150.8 against 131.8
    // iterations/s over 6 iterations) though 11.25 MiB of weights stay off chip; row shards only: 38.4.
    expect(sixteen.throughput.iterationsPerSecond).toBeGreaterThanOrEqual(one.throughput.iterationsPerSecond);
  });

  test('a schedule without a pipeline has no bubble', () => {
    const step = compile(buildModel('mlp', { inputShape: [32], hidden: [16], classes: 4 }), hw, {
      method: 'bp',
      copies: 1,
      batch: 64,
      schedule: 'bp-sequential',
    });
    expect(simulate(step, { iterations: 2, timelineLimit: 0 }).bubbleRatio).toBe(0);
  });

  test.each(['gpipe', '1f1b'] as const)('%s: a balanced pipeline is not slower as micro-batches grow', (schedule) => {
    const rates = [1, 2, 4, 8, 16].map(
      (m) =>
        simulate(uniformPipeline(4, m, schedule, 640 / m, 1280 / m, 64, 'array'), { iterations: 3 }).throughput
          .iterationsPerSecond,
    );
    for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeGreaterThanOrEqual(rates[i - 1]!);
  });

  test.each(['gpipe', '1f1b'] as const)(
    '%s ResNet-5 on multicore-16, 2 stages, weights on chip: 16 micro-batches are not slower than 1',
    (schedule) => {
      const run = (microBatches: number) => {
        const step = compile(resnet5, hw, { method: 'bp', copies: 1, batch: 64, schedule, stages: 2, microBatches });
        return simulate(step, { iterations: 3, timelineLimit: 0 });
      };
      const [one, sixteen] = [run(1), run(16)];
      expect(sixteen.weights.offChipBytes).toBe(0);
      expect(sixteen.weights.offChipReadBytesPerIteration).toBe(0);
      expect(sixteen.throughput.iterationsPerSecond).toBeGreaterThanOrEqual(one.throughput.iterationsPerSecond);
    },
  );
});

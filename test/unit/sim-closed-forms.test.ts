// The simulator against the closed forms an architect checks first: the GPipe/1F1B bubble ratio
// (p - 1) / (m + p - 1) on compute arrays; data-parallel scaling with bandwidth to spare; doubling
// DRAM bandwidth halving a bandwidth-bound layer's memory time; weight double buffering removing the
// per-fold load; and a whole ResNet-9 step on multicore-16 within 1.5x of its bound.
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import type { HwModel } from '../../src/hw/types.js';
import { loadHwModel } from '../../src/hw/load.js';
import { mlp, resnet9 } from '../../src/models/builders.js';
import { analyticBubbleRatio } from '../../sim/analytic.js';
import { simulate } from '../../sim/simulate.js';
import { singleGemm, testHw, uniformPipeline } from '../fixtures/sim-steps.js';

describe.each(['gpipe', '1f1b'] as const)('%s bubble ratio on compute arrays sharing one DRAM', (schedule) => {
  const grid = [2, 4, 8].flatMap((p) => [1, 4, 16, 64].map((m) => [p, m] as const));
  test.each(grid)('p=%i, m=%i: within 2 points of (p-1)/(m+p-1)', (p, m) => {
    const r = simulate(uniformPipeline(p, m, schedule, 40, 80, 64, 'array'), { iterations: 2 });
    const expected = analyticBubbleRatio(p, m);
    expect(Math.abs(r.bubbleRatio - expected)).toBeLessThanOrEqual(0.02);
  });
});

/** A generated chip: c equal cores, bandwidth to spare everywhere, arrays double-buffering their weights. */
function spareHw(cores: number, weightDoubleBuffered: boolean): HwModel {
  const base = testHw({ cores, rows: 16, cols: 16, lanes: 16 });
  return {
    ...base,
    cores: { ...base.cores, systolic: base.cores.systolic.map((s) => ({ ...s, weightDoubleBuffered })) },
    noc: { topology: 'ring', linkBandwidthBytesPerCycle: 1e9, hopLatencyCycles: 0 },
  };
}

describe('data-parallel with bandwidth to spare', () => {
  const net = mlp([784, 256, 256, 10]);
  const rate = (method: 'bp' | 'alr', cores: number, batch: number) =>
    simulate(compile(net, spareHw(cores, true), { method, copies: 16, batch, schedule: 'data-parallel' }), {
      iterations: 3,
    }).throughput.iterationsPerSecond;
  test.each([
    ['bp', 2],
    ['bp', 4],
    ['bp', 8],
    ['alr', 2],
    ['alr', 4],
    ['alr', 8],
  ] as const)('%s on %i cores gives at least 0.8 c x one core', (method, cores) => {
    expect(rate(method, cores, 256)).toBeGreaterThanOrEqual(0.8 * cores * rate(method, 1, 256));
  });
});

test('doubling DRAM bandwidth on a bandwidth-bound layer nearly halves its memory time', () => {
  const slow = simulate(singleGemm(testHw({ dramBw: 0.25 }), 512, 256, 512), { iterations: 1 });
  const fast = simulate(singleGemm(testHw({ dramBw: 0.5 }), 512, 256, 512), { iterations: 1 });
  expect(slow.bound.kind).toBe('bandwidth');
  expect(fast.bound.kind).toBe('bandwidth');
  const ratio = fast.cycles.total / slow.cycles.total;
  expect(ratio).toBeGreaterThan(0.49);
  expect(ratio).toBeLessThan(0.52);
});

test("weight double buffering hides the per-fold weight load (and is off by default: SCALE-Sim's model)", () => {
  const plain = testHw({ rows: 8, cols: 8, dataflow: 'ws' });
  const buffered = {
    ...plain,
    cores: { ...plain.cores, systolic: [{ ...plain.cores.systolic[0]!, weightDoubleBuffered: true }] },
  };
  // K = 64, N = 64: 8 x 8 folds of 8 rows; M = 8 streamed rows per fold.
  const a = simulate(singleGemm(plain, 8, 64, 64), { iterations: 1 }).cycles.total;
  const b = simulate(singleGemm(buffered, 8, 64, 64), { iterations: 1 }).cycles.total;
  expect(a).toBe(64 * (2 * 8 + 8 + 8 - 2));
  expect(b).toBe(8 + 64 * Math.max(8, 8) + 8 + 8 - 2);
});

describe('ResNet-9 on multicore-16 against its bound (busiest unit compute, HBM traffic over bandwidth)', () => {
  const hw = loadHwModel('multicore-16');
  test.each([
    ['alr', 'layer-pipelined', {}],
    ['alr', 'layer-pipelined', { microBatches: 16 }],
    ['alr', 'layer-pipelined', { staleness: 1 as const }],
    ['alr', 'sequential', {}],
  ] as const)('%s %s %o within 1.5x', (method, schedule, extra) => {
    const r = simulate(compile(resnet9(), hw, { method, copies: 64, batch: 32, schedule, ...extra }), {
      iterations: 3,
    });
    expect(r.bound.ratio).toBeGreaterThanOrEqual(1);
    expect(r.bound.ratio).toBeLessThan(1.5);
  });
});

test('a core with two arrays and two vector units uses all four, and runs micro-batches on both arrays at once', () => {
  const base = testHw({ cores: 1, rows: 8, cols: 8, lanes: 8 });
  const twin: HwModel = {
    ...base,
    cores: {
      count: 1,
      systolic: [
        { ...base.cores.systolic[0]!, name: 'a0' },
        { ...base.cores.systolic[0]!, name: 'a1' },
      ],
      vector: [
        { name: 'v0', lanes: 8 },
        { name: 'v1', lanes: 8 },
      ],
    },
  };
  const single: HwModel = {
    ...base,
    cores: { count: 1, systolic: [{ ...base.cores.systolic[0]!, name: 'a0' }], vector: [{ name: 'v0', lanes: 8 }] },
  };
  const run = (hw: HwModel) =>
    simulate(
      compile(
        mlp([64, 64, 64, 10]),
        { ...hw, cores: { ...hw.cores, count: 2 } },
        { method: 'alr', copies: 4, batch: 16, schedule: 'layer-pipelined', microBatches: 8 },
      ),
      { iterations: 2 },
    );
  const r = run(twin);
  for (const name of ['a0', 'a1', 'v0', 'v1'])
    expect(r.units.filter((u) => u.unit === name).every((u) => u.busyCycles > 0)).toBe(true);
  expect(r.cycles.steadyStatePerIteration).toBeLessThan(run(single).cycles.steadyStatePerIteration);
});

// The simulator against closed forms on hand-built steps: per-fold GEMM cycles per dataflow, exact
// GPipe/1F1B bubble ratios, Little's law for occupancy, byte conservation, determinism, and errors.
import { describe, expect, test } from 'vitest';
import type { CompiledStep } from '../../src/compiler/types.js';
import { InfeasibleMappingError, SimulationDeadlockError } from '../../src/errors.js';
import { analyticBubbleRatio } from '../../sim/analytic.js';
import { simulate } from '../../sim/simulate.js';
import { singleGemm, testHw, uniformPipeline } from '../fixtures/sim-steps.js';

describe('single GEMM with unlimited bandwidth', () => {
  // Hand-derived per-fold counts (SCALE-Sim's model): os T+R+C-2, ws/is 2R+C+T-2, times the folds.
  const cases = [
    {
      dataflow: 'os' as const,
      m: 20,
      n: 10,
      k: 30,
      expected: Math.ceil(20 / 8) * Math.ceil(10 / 4) * (30 + 8 + 4 - 2),
    },
    {
      dataflow: 'ws' as const,
      m: 20,
      n: 10,
      k: 30,
      expected: Math.ceil(30 / 8) * Math.ceil(10 / 4) * (2 * 8 + 4 + 20 - 2),
    },
    {
      dataflow: 'is' as const,
      m: 20,
      n: 10,
      k: 30,
      expected: Math.ceil(30 / 8) * Math.ceil(20 / 4) * (2 * 8 + 4 + 10 - 2),
    },
  ];
  test.each(cases)('$dataflow', ({ dataflow, m, n, k, expected }) => {
    const r = simulate(singleGemm(testHw({ rows: 8, cols: 4, dataflow }), m, n, k), { iterations: 1 });
    expect(r.cycles.total).toBe(expected);
    expect(r.stalls.bandwidth).toBe(0);
  });
});

test('a slow DRAM stalls the GEMM for bandwidth, by exactly the transfer time', () => {
  const hw = testHw({ dramBw: 4 });
  const r = simulate(singleGemm(hw, 64, 32, 100), { iterations: 1 });
  const bytes = (64 * 100 + 100 * 32) * hw.wordBytes;
  expect(r.cycles.total).toBe(Math.ceil(bytes / 4));
  expect(r.stalls.bandwidth).toBeGreaterThan(0);
});

describe.each(['gpipe', '1f1b'] as const)('%s bubble ratio', (schedule) => {
  test.each([
    [4, 8],
    [3, 1],
    [5, 16],
  ])('S=%i, M=%i equals (S-1)/(M+S-1)', (S, M) => {
    const r = simulate(uniformPipeline(S, M, schedule, 7, 7), { iterations: 1 });
    expect(r.bubbleRatio).toBeCloseTo(analyticBubbleRatio(S, M), 12);
  });
});

test("occupancy obeys Little's law: time-weighted bytes = sum(bytes x lifetime) / total", () => {
  const r = simulate(uniformPipeline(3, 4, '1f1b', 5, 9), { iterations: 3 });
  for (const m of r.memory.filter((x) => x.level === 'sram')) {
    const byId = new Map(
      r.timeline.filter((e) => e.core === m.core).map((e) => [`${e.node}.${e.microBatch}.${e.iteration}`, e]),
    );
    let area = 0;
    for (let it = 0; it < 3; it++) {
      for (let mb = 0; mb < 4; mb++) {
        const from = byId.get(`F${m.core}.${mb}.${it}`)!.start;
        const to = byId.get(`B${m.core}.${mb}.${it}`)!.end;
        area += 100 * (to - from);
      }
    }
    expect(m.timeWeightedBytes).toBeCloseTo(area / r.cycles.total, 9);
    expect(m.peakBytes).toBeLessThanOrEqual(100 * 4);
  }
});

test('bytes are conserved: traffic equals the tasks’ accesses times iterations, plus spill both ways', () => {
  const step = singleGemm(testHw({ sramBytes: 1000, dramBw: 8 }), 64, 32, 100);
  const r = simulate(step, { iterations: 3 });
  const accessed = step.tasks.flatMap((t) => [...t.reads, ...t.writes]).reduce((s, a) => s + a.bytes, 0) * 3;
  const sram = r.traffic.find((t) => t.where === 'sram')!;
  const dram = r.traffic.find((t) => t.where === 'dram')!;
  const direct =
    step.tasks
      .flatMap((t) => t.reads)
      .filter((a) => a.level === 'dram')
      .reduce((s, a) => s + a.bytes, 0) * 3;
  const spillOut = dram.bytesWritten;
  expect(dram.bytesRead - direct).toBeCloseTo(spillOut, 6);
  expect(sram.bytesRead + sram.bytesWritten + dram.bytesRead + dram.bytesWritten - 2 * spillOut).toBeCloseTo(
    accessed,
    6,
  );
  expect(r.stalls.capacity).toBeGreaterThan(0);
});

test('the same inputs give the same report byte for byte', () => {
  const a = JSON.stringify(simulate(uniformPipeline(4, 6, '1f1b', 3, 5, 64), { iterations: 5 }));
  const b = JSON.stringify(simulate(uniformPipeline(4, 6, '1f1b', 3, 5, 64), { iterations: 5 }));
  expect(a).toBe(b);
});

describe('bad input', () => {
  test('a dependency cycle is a deadlock naming the task (exit 3), not a hang', () => {
    const step = uniformPipeline(2, 2, 'gpipe', 1, 1);
    const first = step.tasks[0]!;
    first.deps = [step.tasks[step.tasks.length - 1]!.id];
    const err = (() => {
      try {
        simulate(step, { iterations: 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SimulationDeadlockError);
    expect((err as SimulationDeadlockError).exitCode).toBe(3);
    expect((err as Error).message).toContain(first.id);
  });
  test('the event bound stops a run with a message naming the bound', () => {
    expect(() => simulate(uniformPipeline(2, 4, 'gpipe', 1, 1), { iterations: 10, maxEvents: 5 })).toThrow(
      /event bound/,
    );
  });
  test('an infeasible mapping names its shortfall (exit 3)', () => {
    const step: CompiledStep = {
      ...singleGemm(testHw(), 4, 4, 4),
      feasibility: { ok: false, shortfalls: ['noise of conv3 needs 18.0 MiB on level sram (capacity 8 MiB)'] },
    };
    expect(() => simulate(step, { iterations: 1 })).toThrow(InfeasibleMappingError);
    expect(() => simulate(step, { iterations: 1 })).toThrow(/noise of conv3/);
  });
});

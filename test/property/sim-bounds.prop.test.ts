// Properties of the simulator over fast-check-drawn GEMMs, pipelines and hardware: never faster than
// the compute and per-level bandwidth lower bounds, and a single layer within 1.3x of its roofline
// (max of its array's compute and each level's bytes over bandwidth); more bandwidth or more capacity
// never slower for a fixed mapping; the same inputs give the same report.
import { fc, test } from '@fast-check/vitest';
import { lowerBoundCycles } from '../../sim/analytic.js';
import { simulate } from '../../sim/simulate.js';
import { singleGemm, testHw, uniformPipeline } from '../fixtures/sim-steps.js';

const dims = fc.integer({ min: 1, max: 300 });
const hwArb = fc.record({
  rows: fc.integer({ min: 1, max: 32 }),
  cols: fc.integer({ min: 1, max: 32 }),
  dataflow: fc.constantFrom('os' as const, 'ws' as const, 'is' as const),
  sramBytes: fc.integer({ min: 256, max: 1 << 20 }),
  sramBw: fc.integer({ min: 1, max: 512 }),
  dramBw: fc.integer({ min: 1, max: 256 }),
});

test.prop([dims, dims, dims, hwArb], { numRuns: 150 })(
  'total cycles >= max(MACs / peak, bytes / bandwidth per level)',
  (m, n, k, h) => {
    const step = singleGemm(testHw(h), m, n, k);
    const r = simulate(step, { iterations: 2 });
    const lb = lowerBoundCycles(step, 2);
    return r.cycles.total >= Math.ceil(lb.bound - 1e-9);
  },
);

test.prop([dims, dims, dims, hwArb, fc.boolean()], { numRuns: 150 })(
  'a single layer lies between its roofline bound and 1.3x of it',
  (m, n, k, h, wdb) => {
    const hw = testHw(h);
    const step = singleGemm(
      { ...hw, cores: { ...hw.cores, systolic: hw.cores.systolic.map((s) => ({ ...s, weightDoubleBuffered: wdb })) } },
      m,
      n,
      k,
    );
    const r = simulate(step, { iterations: 1 });
    return r.cycles.total >= r.bound.cycles - 1e-9 && r.cycles.total <= 1.3 * r.bound.cycles + 2;
  },
);

test.prop([dims, dims, dims, hwArb, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })], { numRuns: 150 })(
  'more bandwidth or more capacity never makes a fixed mapping slower',
  (m, n, k, h, bwFactor, capFactor) => {
    const base = simulate(singleGemm(testHw(h), m, n, k), { iterations: 2 }).cycles.total;
    const faster = simulate(
      singleGemm(testHw({ ...h, sramBw: h.sramBw * bwFactor, dramBw: h.dramBw * bwFactor }), m, n, k),
      { iterations: 2 },
    ).cycles.total;
    const bigger = simulate(singleGemm(testHw({ ...h, sramBytes: h.sramBytes * capFactor }), m, n, k), {
      iterations: 2,
    }).cycles.total;
    return faster <= base && bigger <= base;
  },
);

test.prop(
  [
    fc.integer({ min: 1, max: 6 }),
    fc.integer({ min: 1, max: 10 }),
    fc.constantFrom('gpipe' as const, '1f1b' as const),
    fc.integer({ min: 1, max: 50 }),
    fc.integer({ min: 1, max: 50 }),
  ],
  { numRuns: 60 },
)(
  'pipelines: same inputs give the same report, byte for byte, and never beat the busiest stage',
  (S, M, schedule, f, b) => {
    const a = simulate(uniformPipeline(S, M, schedule, f, b, 32), { iterations: 3 });
    const c = simulate(uniformPipeline(S, M, schedule, f, b, 32), { iterations: 3 });
    return JSON.stringify(a) === JSON.stringify(c) && a.cycles.total >= 3 * M * (f + b);
  },
);

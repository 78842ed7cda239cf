// Parity of the step ops that were the runtime's host code (batchnorm backward, loss baseline,
// softmax gradient, learned sigma's gradient) on every backend that works here against the float64
// reference, on fast-check-drawn sizes (1 row, 1 copy, 1 class, 1 position occur), each result
// stamped with the backend asked. Tolerances are float32 error bounds stated at each assertion.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendName, KernelArgs, NumArray } from '../../kernels/names.js';
import { referenceTable } from '../../kernels/registry-reference.js';
import { STEP_OP_NAMES, type StepOpName } from '../../kernels/step-op-args.js';
import {
  backendsUnderTest,
  disposeRunners,
  expectClose,
  f32Data,
  runnerFor,
  suiteName,
  U32,
} from './parity-backends.js';

const backends = await backendsUnderTest();
afterAll(disposeRunners);

const size = (max: number) => fc.integer({ min: 1, max });
const positive = (n: number, seed: number): Float64Array => f32Data(n, seed).map((v) => Math.fround(0.25 + v * v));
const maxAbs = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

interface Case<K extends StepOpName> {
  args: KernelArgs[K];
  /** The float32 error bound of element i. */
  tol: (want: NumArray) => (i: number) => number;
}

const draws: { [K in StepOpName]: fc.Arbitrary<Case<K>> } = {
  'batchnorm-backward': fc.record({ rows: size(5), channels: size(6), spatial: size(9), seed: fc.nat() }).map((d) => ({
    args: {
      dy: f32Data(d.rows * d.channels * d.spatial, d.seed),
      gamma: f32Data(d.channels, d.seed + 1),
      variance: positive(d.channels, d.seed + 2),
      ...d,
    },
    // Three roundings and a float32 sqrt: a few ulp of the result.
    tol: (want) => (i) => 8 * U32 * Math.abs(want[i]!) + 1e-30,
  })),
  'loss-baseline': fc
    .record({
      samples: size(6),
      copies: size(9),
      baseline: fc.constantFrom('none', 'mean', 'leave-one-out'),
      copyMajor: fc.boolean(),
      seed: fc.nat(),
    })
    .map((d) => {
      const loss = positive(d.samples * d.copies, d.seed).map((v) => 4 * v);
      // A sum of `copies` terms, a division and a subtraction, relative to the largest loss.
      return { args: { ...d, loss }, tol: () => () => (d.copies + 4) * 2 * U32 * maxAbs(loss) };
    }),
  'softmax-gradient': fc.record({ rows: size(9), classes: size(12), seed: fc.nat() }).map((d) => ({
    args: {
      logits: f32Data(d.rows * d.classes, d.seed).map((v) => 4 * v),
      labels: Int32Array.from({ length: d.rows }, (_, r) => (r * 7 + d.seed) % d.classes),
      rows: d.rows,
      classes: d.classes,
    },
    // Probabilities in [0, 1] from a sum of `classes` exps of a few ulp each, then / rows.
    tol: () => () => ((d.classes + 16) * 4 * U32) / d.rows,
  })),
  'sigma-gradient': fc.record({ rows: size(6), channels: size(5), spatial: size(8), seed: fc.nat() }).map((d) => {
    const eps = f32Data(d.rows * d.channels * d.spatial, d.seed).map((v) => 3 * v);
    const loss = f32Data(d.rows, d.seed + 1);
    const sigma = positive(d.channels, d.seed + 2);
    const normaliser = d.rows;
    // A sum of rows * spatial terms |loss| (eps^2 + 1), over sigma * normaliser.
    const bound = (c: number): number => {
      let s = 0;
      for (let r = 0; r < d.rows; r++)
        for (let p = 0; p < d.spatial; p++)
          s += Math.abs(loss[r]!) * (eps[(r * d.channels + c) * d.spatial + p]! ** 2 + 1);
      return s / (sigma[c]! * normaliser);
    };
    return {
      args: { eps, loss, sigma, normaliser, rows: d.rows, channels: d.channels, spatial: d.spatial },
      tol: () => (c) => (d.rows * d.spatial + 6) * U32 * bound(c) + 1e-30,
    };
  }),
};

async function check<K extends StepOpName>(backend: BackendName, name: K): Promise<void> {
  const runner = await runnerFor(backend);
  await fc.assert(
    fc.asyncProperty(draws[name] as fc.Arbitrary<Case<K>>, async ({ args, tol }) => {
      const got = await runner.run(name, args);
      expect(got.backend).toBe(backend);
      const want = await referenceTable[name](args as never);
      expectClose(
        got.out as NumArray,
        want,
        tol(want),
        `${name} ${JSON.stringify({ ...args, eps: undefined })}`.slice(0, 200),
      );
    }),
    { numRuns: 10 },
  );
}

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    it.each(STEP_OP_NAMES)('%s matches the float64 reference within its float32 bound', async (name) => {
      await check(status.backend, name);
    });
  });
}

// Parity of the token kernels (LayerNorm forward, backward and parameter gradient, the batched
// matrix product in its three transposes, the scaled row softmax with and without the causal mask
// and its backward, the gather) on every backend that works here against the float64 reference, on
// fast-check-drawn sizes (1 row, 1 feature, 1 group occur), each result stamped with the backend
// asked. Tolerances are float32 error bounds stated at each case.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendName, KernelArgs, NumArray } from '../../kernels/names.js';
import { referenceTable } from '../../kernels/registry-reference.js';
import { TOKEN_KERNEL_NAMES, type TokenKernelName } from '../../kernels/token-op-args.js';
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
const maxAbs = (a: NumArray): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

interface Case<K extends TokenKernelName> {
  args: KernelArgs[K];
  /** The float32 error bound of every element. */
  tol: number;
}

/** Rows of drawn values with a drawn offset and spread, so each row's mean and variance differ. */
function tokenRows(rows: number, features: number, seed: number): Float64Array {
  return f32Data(rows * features, seed).map((v, i) => Math.fround(3 * v + (Math.floor(i / features) % 3)));
}

// LayerNorm: sums over `features` of values up to 4 and a float32 rsqrt; xhat is at most sqrt(features)
// in size, so a result's error is a few ulp of (features + 8) times the largest term.
// Epsilon is the layer's (1e-5 alrflow's, 1e-6 torchvision's); 0.5 makes a backend that ignores it fail.
const layernormSizes = fc.record({
  rows: size(7),
  features: size(9),
  seed: fc.nat(),
  epsilon: fc.constantFrom(1e-5, 1e-6, 0.5),
});
const layernormTol = (features: number, scale: number): number =>
  (features + 8) * 16 * U32 * scale * Math.sqrt(features);

const draws: { [K in TokenKernelName]: fc.Arbitrary<Case<K>> } = {
  layernorm: layernormSizes.map((d) => ({
    args: {
      x: tokenRows(d.rows, d.features, d.seed),
      gamma: f32Data(d.features, d.seed + 1),
      beta: f32Data(d.features, d.seed + 2),
      ...d,
    },
    tol: layernormTol(d.features, 2),
  })),
  'layernorm-backward': layernormSizes.map((d) => ({
    args: {
      dy: f32Data(d.rows * d.features, d.seed + 3),
      x: tokenRows(d.rows, d.features, d.seed),
      gamma: f32Data(d.features, d.seed + 1),
      ...d,
    },
    // dx is inv times sums of dy gamma xhat: inv is at most 1/sqrt(1e-5) for a constant row; the rows here spread >= 0.
    tol: layernormTol(d.features, 4) * 300,
  })),
  'layernorm-grad': layernormSizes.map((d) => ({
    args: { dy: f32Data(d.rows * d.features, d.seed + 3), x: tokenRows(d.rows, d.features, d.seed), ...d },
    tol: layernormTol(d.features, 1) * (d.rows + 2) * 300,
  })),
  'batch-matmul': fc
    .record({
      groups: size(4),
      m: size(6),
      k: size(9),
      n: size(6),
      transpose: fc.constantFrom('none', 'a', 'b'),
      seed: fc.nat(),
    })
    .map((d) => ({
      args: { ...d, a: f32Data(d.groups * d.m * d.k, d.seed), b: f32Data(d.groups * d.k * d.n, d.seed + 1) },
      // A dot product of k terms of size <= 1: (k + 2) ulp of k.
      tol: (d.k + 2) * U32 * d.k + 1e-30,
    })),
  'softmax-rows': fc
    .record({
      blocks: size(4),
      width: size(9),
      scale: fc.constantFrom(0.25, 1, 0.5),
      causal: fc.boolean(),
      seed: fc.nat(),
    })
    .map((d) => ({
      args: {
        x: f32Data(d.blocks * d.width * d.width, d.seed).map((v) => 4 * v),
        rows: d.blocks * d.width,
        width: d.width,
        scale: d.scale,
        causal: d.causal,
      },
      // Probabilities in [0, 1] from a sum of `width` exps of a few ulp each.
      tol: (d.width + 16) * 4 * U32,
    })),
  'softmax-rows-backward': fc
    .record({ rows: size(9), width: size(9), scale: fc.constantFrom(0.25, 1), seed: fc.nat() })
    .map((d) => {
      const raw = f32Data(d.rows * d.width, d.seed).map(Math.abs);
      return {
        args: { dy: f32Data(d.rows * d.width, d.seed + 1), p: raw, rows: d.rows, width: d.width, scale: d.scale },
        // p (dy - dot): dot is a sum of `width` products of size <= 1.
        tol: (d.width + 8) * 4 * U32 * (d.width + 1) * maxAbs(raw),
      };
    }),
  gather: fc.record({ length: size(40), outputs: size(40), seed: fc.nat() }).map((d) => ({
    args: {
      x: f32Data(d.length, d.seed),
      index: Int32Array.from({ length: d.outputs }, (_, i) => ((i * 7 + d.seed) % (d.length + 1)) - 1),
      scale: 0.5,
    },
    // A float32 copy times 0.5 is exact.
    tol: 1e-30,
  })),
};

async function check<K extends TokenKernelName>(backend: BackendName, name: K): Promise<void> {
  const runner = await runnerFor(backend);
  await fc.assert(
    fc.asyncProperty(draws[name] as fc.Arbitrary<Case<K>>, async ({ args, tol }) => {
      const got = await runner.run(name, args);
      expect(got.backend).toBe(backend);
      const want = await referenceTable[name](args as never);
      const what = `${name} ${JSON.stringify({ ...args, x: undefined, dy: undefined })}`.slice(0, 200);
      const pairs: [NumArray, NumArray][] =
        name === 'layernorm-grad'
          ? (['weights', 'biases'] as const).map((k) => [
              (got.out as { [k: string]: NumArray })[k]!,
              (want as { [k: string]: NumArray })[k]!,
            ])
          : [[got.out as NumArray, want as NumArray]];
      for (const [g, w] of pairs) expectClose(g, w, () => tol, what);
    }),
    { numRuns: 10 },
  );
}

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    it.each(TOKEN_KERNEL_NAMES)('%s matches the float64 reference within its float32 bound', async (name) => {
      await check(status.backend, name);
    });
  });
}

describe('token kernels: a broken kernel fails the bound', () => {
  it('a softmax that forgets the causal mask differs from the reference beyond the bound', async () => {
    const args = { x: f32Data(3 * 3, 5), rows: 3, width: 3, scale: 1, causal: true };
    const broken = await referenceTable['softmax-rows']({ ...args, causal: false });
    const want = await referenceTable['softmax-rows'](args);
    expect(Math.max(...broken.map((v, i) => Math.abs(v - want[i]!)))).toBeGreaterThan((3 + 16) * 4 * U32);
  });

  it('a LayerNorm that keeps epsilon 1e-5 where the layer says 0.5 differs from the reference beyond the bound', async () => {
    const base = { x: tokenRows(4, 6, 9), gamma: f32Data(6, 10), beta: f32Data(6, 11), rows: 4, features: 6 };
    const broken = await referenceTable.layernorm({ ...base, epsilon: 1e-5 });
    const want = await referenceTable.layernorm({ ...base, epsilon: 0.5 });
    expect(Math.max(...broken.map((v, i) => Math.abs(v - want[i]!)))).toBeGreaterThan(layernormTol(6, 2));
  });
});

// Parity of the GEMM-shaped kernels (matmul, A^T B, A B^T, the LR/ALR gradient product) on every
// backend that works here against the float64 reference, on fast-check-drawn shapes (1..40 per dim,
// so sizes off any tile multiple and size-1 dims occur), with the float32 error bound of a length-k
// dot product, (k + 2) u sum|a||b|, as tolerance; each result must say the asked backend ran.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { KernelName, MatmulArgs } from '../../kernels/names.js';
import { referenceTable } from '../../kernels/registry-reference.js';
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

const dim = fc.integer({ min: 1, max: 40 });
const shape = fc.record({ m: dim, k: dim, n: dim, seed: fc.nat() });
const edgeShapes = [
  { m: 1, k: 1, n: 1, seed: 1 },
  { m: 1, k: 33, n: 1, seed: 2 },
  { m: 17, k: 1, n: 31, seed: 3 },
  { m: 1, k: 5, n: 40, seed: 4 },
];
const abs = (a: Float64Array): Float64Array => a.map(Math.abs);

/** gpu.js backends bound by WebGL's MAX_TEXTURE_SIZE (16384 here). */
const TEXTURE_LIMITED: ReadonlySet<string> = new Set(['headlessgl', 'browser-webgl2']);

const GEMMS: readonly ('matmul' | 'matmul-at-b' | 'matmul-a-bt')[] = ['matmul', 'matmul-at-b', 'matmul-a-bt'];

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    for (const name of GEMMS) {
      it(`${name} matches the float64 reference within (k + 2) u sum|a||b|`, async () => {
        const runner = await runnerFor(status.backend);
        await fc.assert(
          fc.asyncProperty(shape, async ({ m, k, n, seed }) => {
            const args: MatmulArgs = { a: f32Data(m * k, seed), b: f32Data(k * n, seed + 1), m, k, n };
            const got = await runner.run(name, args);
            expect(got.backend).toBe(status.backend);
            const want = await referenceTable[name](args);
            const bound = await referenceTable[name]({
              ...args,
              a: abs(args.a as Float64Array),
              b: abs(args.b as Float64Array),
            });
            expectClose(got.out, want, (i) => (k + 2) * U32 * bound[i]! + 1e-30, `${name} ${m}x${k}x${n}`);
          }),
          { numRuns: 12, examples: edgeShapes.map((s) => [s]) },
        );
      });
    }

    it.runIf(TEXTURE_LIMITED.has(status.backend))(
      'matmul with more rows than a WebGL texture holds runs as tiles on the backend itself, not the reference',
      async () => {
        const runner = await runnerFor(status.backend);
        const args: MatmulArgs = { a: f32Data(16385 * 2, 7), b: f32Data(2 * 3, 8), m: 16385, k: 2, n: 3 };
        const got = await runner.run('matmul-a-bt', args);
        expect(got.backend).toBe(status.backend);
        const want = await referenceTable['matmul-a-bt'](args);
        const bound = await referenceTable['matmul-a-bt']({
          ...args,
          a: abs(args.a as Float64Array),
          b: abs(args.b as Float64Array),
        });
        expectClose(got.out, want, (i) => 4 * U32 * bound[i]! + 1e-30, 'tiled matmul-a-bt 16385x2x3');
        const small = await runner.run('matmul', { ...args, a: f32Data(4 * 2, 7), m: 4 });
        expect(small.backend).toBe(status.backend);
      },
    );

    it('lr-grad-product (LR eps and ALR +-1 signs) matches the reference within (rows + 4) u sum|loss e x| / sigma', async () => {
      const runner = await runnerFor(status.backend);
      const name: KernelName = 'lr-grad-product';
      await fc.assert(
        fc.asyncProperty(
          fc.record({ rows: dim, outs: dim, ins: dim, seed: fc.nat(), signs: fc.boolean() }),
          async ({ rows, outs, ins, seed, signs }) => {
            const e = f32Data(rows * outs, seed).map((v) => (signs ? (v >= 0 ? 1 : -1) : v));
            const sigma = f32Data(outs, seed + 2).map((v) => Math.fround(0.05 + Math.abs(v)));
            const args = {
              loss: f32Data(rows, seed + 1),
              e,
              x: f32Data(rows * ins, seed + 3),
              sigma,
              rows,
              outs,
              ins,
              scale: Math.fround(Math.sqrt(Math.PI / 2) / rows),
            };
            const got = await runner.run(name, args);
            expect(got.backend).toBe(status.backend);
            const want = await referenceTable[name](args);
            const bound = await referenceTable[name]({ ...args, loss: abs(args.loss), e: abs(e), x: abs(args.x) });
            expectClose(
              got.out.weights,
              want.weights,
              (i) => (rows + 4) * U32 * bound.weights[i]! + 1e-30,
              `weights ${rows}x${outs}x${ins}`,
            );
            expectClose(
              got.out.biases,
              want.biases,
              (i) => (rows + 4) * U32 * bound.biases[i]! + 1e-30,
              `biases ${rows}x${outs}`,
            );
          },
        ),
        {
          numRuns: 10,
          examples: [
            [{ rows: 1, outs: 1, ins: 1, seed: 5, signs: true }],
            [{ rows: 33, outs: 1, ins: 7, seed: 6, signs: false }],
          ],
        },
      );
    });
  });
}

// Parity of the reductions and element-wise updates (softmax cross-entropy per row, row sums,
// sign-bit packing, SGD with momentum, Adam) on every backend that works here against the float64
// reference, on fast-check-drawn sizes including 1 and lengths that are not multiples of 32.
// Sign packing must match bit for bit; the float kernels use the error models stated inline.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
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

const size = fc.integer({ min: 1, max: 50 });
const fr = Math.fround;

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    it('softmax-cross-entropy matches the reference within (classes + 8) u (max|logit| + log classes + 1)', async () => {
      const runner = await runnerFor(status.backend);
      await fc.assert(
        fc.asyncProperty(size, fc.integer({ min: 1, max: 20 }), fc.nat(), async (rows, classes, seed) => {
          const logits = f32Data(rows * classes, seed).map((v) => fr(8 * v));
          const labels = Int32Array.from({ length: rows }, (_, r) => (r * 7 + seed) % classes);
          const got = await runner.run('softmax-cross-entropy', { logits, labels, rows, classes });
          expect(got.backend).toBe(status.backend);
          const want = await referenceTable['softmax-cross-entropy']({ logits, labels, rows, classes });
          const scale = (r: number): number =>
            Math.max(...Array.from(logits.subarray(r * classes, (r + 1) * classes), Math.abs)) + Math.log(classes) + 1;
          expectClose(got.out, want, (r) => (classes + 8) * U32 * scale(r), `softmax-ce ${rows}x${classes}`);
        }),
        { numRuns: 12 },
      );
    });

    it('row-sum matches the reference within (cols + 1) u sum|x|', async () => {
      const runner = await runnerFor(status.backend);
      await fc.assert(
        fc.asyncProperty(size, fc.integer({ min: 1, max: 300 }), fc.nat(), async (rows, cols, seed) => {
          const x = f32Data(rows * cols, seed);
          const got = await runner.run('row-sum', { x, rows, cols });
          expect(got.backend).toBe(status.backend);
          const want = await referenceTable['row-sum']({ x, rows, cols });
          const bound = await referenceTable['row-sum']({ x: x.map(Math.abs), rows, cols });
          expectClose(got.out, want, (r) => (cols + 1) * U32 * bound[r]! + 1e-30, `row-sum ${rows}x${cols}`);
        }),
        { numRuns: 12 },
      );
    });

    it('sign-pack matches the reference bit for bit (zeros count as positive)', async () => {
      const runner = await runnerFor(status.backend);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 200 }), fc.nat(), async (count, seed) => {
          const values = f32Data(count, seed).map((v, i) => (i % 5 === 0 ? 0 : v));
          const got = await runner.run('sign-pack', { values });
          expect(got.backend).toBe(status.backend);
          expect(Array.from(got.out)).toEqual(Array.from(await referenceTable['sign-pack']({ values })));
        }),
        {
          numRuns: 15,
          examples: [
            [1, 3],
            [32, 4],
            [33, 5],
            [64, 6],
          ],
        },
      );
    });

    it('sgd-update matches the reference within 8u (|w| + lr (|momentum v| + |g|))', async () => {
      const runner = await runnerFor(status.backend);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 500 }), fc.nat(), async (n, seed) => {
          const args = {
            w: f32Data(n, seed),
            g: f32Data(n, seed + 1),
            v: f32Data(n, seed + 2),
            lr: fr(0.05),
            momentum: fr(0.9),
          };
          const got = await runner.run('sgd-update', args);
          expect(got.backend).toBe(status.backend);
          const want = await referenceTable['sgd-update'](args);
          const vScale = (i: number): number => args.momentum * Math.abs(args.v[i]!) + Math.abs(args.g[i]!);
          expectClose(got.out.v, want.v, (i) => 4 * U32 * vScale(i), 'sgd v');
          expectClose(got.out.w, want.w, (i) => 8 * U32 * (Math.abs(args.w[i]!) + args.lr * vScale(i)), 'sgd w');
        }),
        { numRuns: 10 },
      );
    });

    it('adam-update matches the reference within 16u of the magnitudes of each update term', async () => {
      const runner = await runnerFor(status.backend);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 500 }),
          fc.integer({ min: 1, max: 1000 }),
          fc.nat(),
          async (n, t, seed) => {
            const args = {
              w: f32Data(n, seed),
              g: f32Data(n, seed + 1),
              m: f32Data(n, seed + 2),
              v: f32Data(n, seed + 3).map((x) => fr(x * x)),
              lr: fr(1e-3),
              beta1: fr(0.9),
              beta2: fr(0.999),
              eps: fr(1e-8),
              t,
            };
            const got = await runner.run('adam-update', args);
            expect(got.backend).toBe(status.backend);
            const want = await referenceTable['adam-update'](args);
            expectClose(got.out.m, want.m, (i) => 4 * U32 * (Math.abs(args.m[i]!) + Math.abs(args.g[i]!)), 'adam m');
            expectClose(got.out.v, want.v, (i) => 4 * U32 * (args.v[i]! + args.g[i]! ** 2), 'adam v');
            // The step lr mhat / (sqrt(vhat) + eps) carries ~6 roundings plus the inherited error of m and v.
            const step = (i: number): number => Math.abs(args.w[i]! - want.w[i]!);
            expectClose(got.out.w, want.w, (i) => 16 * U32 * (Math.abs(args.w[i]!) + step(i)) + 1e-12, 'adam w');
          },
        ),
        { numRuns: 10 },
      );
    });
  });
}

// Parity of the graph executor's conv-net kernels (add, copy-sum, batchnorm with given statistics,
// max/avg pool, pool backward, a patch embedding's conv2d, conv2d backward data and weights) on every backend that works here
// against the float64 reference. Kernels a backend runs with the reference code (referenceFallbacks,
// as `backends --json` lists them; none on gpu.js) must be stamped `reference`; the others must be
// stamped with the backend itself. The conv gradients and pooling are also checked on fast-check-
// drawn shapes (1x1 images, 1 channel, odd strides, padding, overlapping windows) wherever a
// backend runs its own version of them.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { KernelArgs, KernelName } from '../../kernels/names.js';
import { referenceFallbacks } from '../../kernels/reference-fallbacks.js';
import { referenceTable } from '../../kernels/registry-reference.js';
import {
  backendsUnderTest,
  disposeRunners,
  expectClose,
  f32Data,
  runnerFor,
  suiteName,
  U32,
  convShapes,
} from './parity-backends.js';

const backends = await backendsUnderTest();
afterAll(disposeRunners);

const dims = { batch: 2, inChannels: 3, height: 6, width: 5, outChannels: 4, kernelSize: 3, stride: 1, padding: 1 };
const pool = { rows: 2, channels: 3, height: 6, width: 6, size: 2, stride: 2 };
const x = f32Data(2 * 3 * 6 * 6, 3);
const patch = { batch: 2, inChannels: 3, height: 6, width: 6, outChannels: 4, kernelSize: 3, stride: 3, padding: 0 };
const cases: { [K in KernelName]?: KernelArgs[K] } & Record<string, object> = {
  add: { a: f32Data(50, 1), b: f32Data(50, 2) },
  'copy-sum': { x: f32Data(3 * 4 * 7, 4), samples: 3, copies: 4, width: 7 },
  batchnorm: {
    x: f32Data(2 * 3 * 5, 5),
    gamma: f32Data(3, 6),
    beta: f32Data(3, 7),
    mean: f32Data(3, 8),
    variance: Float64Array.of(0.5, 1, 2),
    rows: 2,
    channels: 3,
    spatial: 5,
  },
  pool: { x, op: 'max', dims: pool },
  'pool-backward': { dy: f32Data(2 * 3 * 3 * 3, 9), x, op: 'max', dims: pool },
  'pool avg': { x, op: 'avg', dims: pool },
  'pool-backward avg': { dy: f32Data(2 * 3 * 3 * 3, 14), x, op: 'avg', dims: pool },
  // The runtime passes no x to an average pool's backward.
  'pool-backward avg without x': { dy: f32Data(2 * 3 * 3 * 3, 16), x: new Float64Array(0), op: 'avg', dims: pool },
  'pool-backward overlapping max': {
    dy: f32Data(2 * 3 * 4 * 4, 15),
    x,
    op: 'max',
    dims: { ...pool, size: 3, stride: 1 },
  },
  // torchvision's stem pool: 3x3 windows every 2, one padded position on every side.
  'pool padded max': { x, op: 'max', dims: { ...pool, size: 3, stride: 2, padding: 1 } },
  'pool-backward padded max': {
    dy: f32Data(2 * 3 * 3 * 3, 17),
    x,
    op: 'max',
    dims: { ...pool, size: 3, stride: 2, padding: 1 },
  },
  // ReLU'd input: many windows tie at 0, and the gradient goes to the first tied position only.
  'pool-backward tied padded max': {
    dy: f32Data(2 * 3 * 3 * 3, 18),
    x: x.map((v) => Math.max(0, v)),
    op: 'max',
    dims: { ...pool, size: 3, stride: 2, padding: 1 },
  },
  // Windows that tile the input (tfjs-wasm's window-reshape path) with ties at 0: the first tied position only.
  'pool-backward tied max': { dy: f32Data(2 * 3 * 3 * 3, 19), x: x.map((v) => Math.max(0, v)), op: 'max', dims: pool },
  // ONNX AveragePool with pads: the divisor is the window's in-bounds taps (count_include_pad 0) or size^2 (1).
  'pool padded avg': { x, op: 'avg', dims: { ...pool, size: 3, stride: 2, padding: 1 } },
  'pool padded avg counting the padding': {
    x,
    op: 'avg',
    dims: { ...pool, size: 3, stride: 2, padding: 1, countIncludePad: true },
  },
  'pool-backward padded avg': {
    dy: f32Data(2 * 3 * 3 * 3, 19),
    x: new Float64Array(0),
    op: 'avg',
    dims: { ...pool, size: 3, stride: 2, padding: 1 },
  },
  'pool-backward padded avg counting the padding': {
    dy: f32Data(2 * 3 * 3 * 3, 20),
    x: new Float64Array(0),
    op: 'avg',
    dims: { ...pool, size: 3, stride: 2, padding: 1, countIncludePad: true },
  },
  // A ViT patch embedding: 3x3 patches of a 6x6 image, the kernel as large as its stride, no padding.
  'conv2d patch embedding': { x, weights: f32Data(4 * 3 * 9, 21), dims: patch },
  'conv2d-backward-data patch embedding': {
    dy: f32Data(2 * 4 * 2 * 2, 22),
    weights: f32Data(4 * 3 * 9, 21),
    dims: patch,
  },
  'conv2d-backward-weights patch embedding': { dy: f32Data(2 * 4 * 2 * 2, 23), x, dims: patch },
  'conv2d-backward-data': { dy: f32Data(2 * 4 * 6 * 5, 10), weights: f32Data(4 * 3 * 9, 11), dims },
  'conv2d-backward-weights': { dy: f32Data(2 * 4 * 6 * 5, 12), x: f32Data(2 * 3 * 6 * 5, 13), dims },
};

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    for (const [label, args] of Object.entries(cases) as [string, never][]) {
      const name = label.split(' ')[0] as KernelName;
      it(`${label} matches the reference within 64 u (values are O(1), reductions at most 60 terms)`, async () => {
        const runner = await runnerFor(status.backend);
        const got = await runner.run(name, args);
        expect(got.backend).toBe(referenceFallbacks(status.backend).includes(name) ? 'reference' : status.backend);
        if (got.backend === 'reference') expect(got.engine).toMatch(/no .* version/);
        const want = await (referenceTable[name] as (a: never) => Promise<unknown>)(args);
        const parts = (o: unknown): ArrayLike<number>[] =>
          ArrayBuffer.isView(o) ? [o as unknown as ArrayLike<number>] : Object.values(o as object);
        parts(got.out).forEach((g, i) =>
          expectClose(g as Float64Array, parts(want)[i] as Float64Array, () => 64 * U32 * 60, `${name} part ${i}`),
        );
      });
    }
  });
}

const convShape = convShapes({ inChannels: 4, side: 9, outChannels: 5 });

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    it('conv2d-backward-weights on drawn shapes: within (batch oh ow + 2) u of the reference on |dy| x |x|', async () => {
      const runner = await runnerFor(status.backend);
      await fc.assert(
        fc.asyncProperty(convShape, async ({ seed, ...d }) => {
          const oh = Math.floor((d.height + 2 * d.padding - d.kernelSize) / d.stride) + 1;
          const ow = Math.floor((d.width + 2 * d.padding - d.kernelSize) / d.stride) + 1;
          const args = {
            dy: f32Data(d.batch * d.outChannels * oh * ow, seed),
            x: f32Data(d.batch * d.inChannels * d.height * d.width, seed + 1),
            dims: d,
          };
          const got = await runner.run('conv2d-backward-weights', args);
          if (got.backend === 'reference') return;
          expect(got.backend).toBe(status.backend);
          const want = await referenceTable['conv2d-backward-weights'](args);
          const bound = await referenceTable['conv2d-backward-weights']({
            ...args,
            dy: args.dy.map(Math.abs),
            x: args.x.map(Math.abs),
          });
          // Each weight sums batch*oh*ow products (float32 summation error model); each bias the same count of dy.
          const terms = d.batch * oh * ow + 2;
          expectClose(
            got.out.weights,
            want.weights,
            (i) => terms * U32 * bound.weights[i]! + 1e-30,
            `weights ${JSON.stringify(d)}`,
          );
          expectClose(
            got.out.biases,
            want.biases,
            (i) => terms * U32 * bound.biases[i]! + 1e-30,
            `biases ${JSON.stringify(d)}`,
          );
        }),
        {
          numRuns: 15,
          examples: [
            [
              {
                batch: 1,
                inChannels: 1,
                height: 1,
                width: 1,
                outChannels: 1,
                kernelSize: 1,
                stride: 1,
                padding: 0,
                seed: 3,
              },
            ],
          ],
        },
      );
    });
  });
}

const poolShape = fc
  .record({
    rows: fc.integer({ min: 1, max: 3 }),
    channels: fc.integer({ min: 1, max: 3 }),
    height: fc.integer({ min: 1, max: 9 }),
    width: fc.integer({ min: 1, max: 9 }),
    size: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 3 }),
    op: fc.constantFrom('max' as const, 'avg' as const),
    padding: fc.integer({ min: 0, max: 2 }),
    countIncludePad: fc.boolean(),
    seed: fc.nat(),
  })
  .map((d) => ({ ...d, padding: Math.min(d.padding, d.size - 1) }))
  .filter((d) => d.height + 2 * d.padding >= d.size && d.width + 2 * d.padding >= d.size);

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    it('conv2d-backward-data on drawn shapes: within (outChannels k^2 + 2) u of the reference on |dy| x |w|', async () => {
      const runner = await runnerFor(status.backend);
      await fc.assert(
        fc.asyncProperty(convShape, async ({ seed, ...d }) => {
          const oh = Math.floor((d.height + 2 * d.padding - d.kernelSize) / d.stride) + 1;
          const ow = Math.floor((d.width + 2 * d.padding - d.kernelSize) / d.stride) + 1;
          const args = {
            dy: f32Data(d.batch * d.outChannels * oh * ow, seed),
            weights: f32Data(d.outChannels * d.inChannels * d.kernelSize ** 2, seed + 1),
            dims: d,
          };
          const got = await runner.run('conv2d-backward-data', args);
          expect(got.backend).toBe(
            referenceFallbacks(status.backend).includes('conv2d-backward-data') ? 'reference' : status.backend,
          );
          const want = await referenceTable['conv2d-backward-data'](args);
          const bound = await referenceTable['conv2d-backward-data']({
            ...args,
            dy: args.dy.map(Math.abs),
            weights: args.weights.map(Math.abs),
          });
          const terms = d.outChannels * d.kernelSize ** 2 + 2;
          expectClose(got.out, want, (i) => terms * U32 * bound[i]! + 1e-30, `dx ${JSON.stringify(d)}`);
        }),
        {
          numRuns: 15,
          examples: [
            [
              {
                batch: 1,
                inChannels: 1,
                height: 1,
                width: 1,
                outChannels: 1,
                kernelSize: 1,
                stride: 1,
                padding: 0,
                seed: 3,
              },
            ],
          ],
        },
      );
    });

    it('pool and pool-backward (max and avg) on drawn shapes, overlapping, gapped and padded windows (avg counting the padding or not): within size^2 u', async () => {
      const runner = await runnerFor(status.backend);
      await fc.assert(
        fc.asyncProperty(poolShape, async ({ seed, op, ...dims }) => {
          const oh = Math.floor((dims.height + 2 * dims.padding - dims.size) / dims.stride) + 1;
          const ow = Math.floor((dims.width + 2 * dims.padding - dims.size) / dims.stride) + 1;
          const x = f32Data(dims.rows * dims.channels * dims.height * dims.width, seed);
          const dy = f32Data(dims.rows * dims.channels * oh * ow, seed + 1);
          const tol = () => (dims.size ** 2 + 2) * U32 * 4;
          for (const [name, args] of [
            ['pool', { x, op, dims }],
            ['pool-backward', { dy, x, op, dims }],
          ] as const) {
            const got = await runner.run(name, args as never);
            expect(got.backend).toBe(referenceFallbacks(status.backend).includes(name) ? 'reference' : status.backend);
            expectClose(
              got.out as Float64Array,
              await (referenceTable[name] as (a: never) => Promise<Float64Array>)(args as never),
              tol,
              `${name} ${op} ${JSON.stringify(dims)}`,
            );
          }
        }),
        {
          numRuns: 15,
          examples: [
            [
              {
                rows: 1,
                channels: 1,
                height: 1,
                width: 1,
                size: 1,
                stride: 1,
                op: 'max',
                padding: 0,
                countIncludePad: false,
                seed: 3,
              },
            ],
            [
              {
                rows: 1,
                channels: 2,
                height: 5,
                width: 4,
                size: 3,
                stride: 2,
                op: 'max',
                padding: 1,
                countIncludePad: false,
                seed: 4,
              },
            ],
            [
              {
                rows: 1,
                channels: 2,
                height: 5,
                width: 4,
                size: 3,
                stride: 2,
                op: 'avg',
                padding: 1,
                countIncludePad: false,
                seed: 5,
              },
            ],
          ],
        },
      );
    });
  });
}

it('a broken average pool fails the bound: counting padded taps where the layer does not differs from the reference', async () => {
  const dims = { ...pool, size: 3, stride: 2, padding: 1 };
  const want = await referenceTable.pool({ x, op: 'avg', dims });
  const broken = await referenceTable.pool({ x, op: 'avg', dims: { ...dims, countIncludePad: true } });
  expect(Math.max(...Array.from(broken, (v, i) => Math.abs(v - want[i]!)))).toBeGreaterThan(64 * U32 * 60);
});

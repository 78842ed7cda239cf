// Parity of conv2d, fused bias + activation and in-kernel noise injection on every backend that
// works here against the float64 reference (and, for noise, the reference counter RNG of
// kernels/rng.ts), on fast-check-drawn NCHW shapes including 1x1 images, 1 channel, odd
// strides and padding. Tolerances follow float32 error models stated at each assertion.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GpujsContext } from '../../kernels/gpujs/gpujs-context.js';
import { noiseInjectInKernel } from '../../kernels/gpujs/noise-inject.js';
import { type Activation, ACTIVATIONS, type NoiseInjectArgs, type NumArray } from '../../kernels/names.js';
import { referenceNoise, referenceTable } from '../../kernels/registry-reference.js';
import { signPack } from '../../kernels/reference/sign-pack.js';
import { uniformPair } from '../../kernels/rng.js';
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

const convShape = convShapes({ inChannels: 5, side: 11, outChannels: 6 });

const layout = fc.record({
  rows: fc.integer({ min: 1, max: 9 }),
  channels: fc.integer({ min: 1, max: 9 }),
  spatial: fc.integer({ min: 1, max: 13 }),
  seed: fc.nat(),
});

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    it('conv2d matches the reference within (cIn k^2 + 2) u conv(|x|, |w|)', async () => {
      const runner = await runnerFor(status.backend);
      await fc.assert(
        fc.asyncProperty(convShape, async ({ seed, ...dims }) => {
          const x = f32Data(dims.batch * dims.inChannels * dims.height * dims.width, seed);
          const weights = f32Data(dims.outChannels * dims.inChannels * dims.kernelSize ** 2, seed + 1);
          const got = await runner.run('conv2d', { x, weights, dims });
          expect(got.backend).toBe(status.backend);
          const want = await referenceTable.conv2d({ x, weights, dims });
          const bound = await referenceTable.conv2d({ x: x.map(Math.abs), weights: weights.map(Math.abs), dims });
          const terms = dims.inChannels * dims.kernelSize ** 2 + 2;
          expectClose(got.out, want, (i) => terms * U32 * bound[i]! + 1e-30, `conv2d ${JSON.stringify(dims)}`);
        }),
        {
          numRuns: 12,
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
                seed: 7,
              },
            ],
          ],
        },
      );
    });

    it('bias-activation (none, relu, tanh) matches the reference within 4u|z + b| + 1e-6', async () => {
      const runner = await runnerFor(status.backend);
      await fc.assert(
        fc.asyncProperty(
          layout,
          fc.constantFrom<Activation>(...ACTIVATIONS),
          async ({ rows, channels, spatial, seed }, activation) => {
            const args = {
              z: f32Data(rows * channels * spatial, seed).map((v) => 3 * v),
              bias: f32Data(channels, seed + 1),
              rows,
              channels,
              spatial,
              activation,
            };
            const got = await runner.run('bias-activation', args);
            expect(got.backend).toBe(status.backend);
            const want = await referenceTable['bias-activation'](args);
            const pre = await referenceTable['bias-activation']({ ...args, activation: 'none' });
            // One rounding of z + b (relative u), then relu (exact) or a float32 tanh (a few ulp, |tanh'| <= 1).
            expectClose(
              got.out,
              want,
              (i) => 4 * U32 * Math.abs(pre[i]!) + 1e-6,
              `${activation} ${rows}x${channels}x${spatial}`,
            );
          },
        ),
        { numRuns: 12 },
      );
    });

    it('noise-inject gives the reference RNG draw for (seed, step, layer, row, unit), on the host (CPU backends) or inside the kernel (GPU backends)', async () => {
      const runner = await runnerFor(status.backend);
      await noiseMatchesReference(cosAbsError(status.backend), async (args) => {
        const got = await runner.run('noise-inject', args);
        expect(got.backend).toBe(status.backend);
        return got.out;
      });
    });

    it("noise-inject-signs gives noise-inject's result and the signs of the reference eps", async () => {
      const runner = await runnerFor(status.backend);
      await noiseMatchesReference(cosAbsError(status.backend), async (args) => {
        const got = await runner.run('noise-inject-signs', args);
        expect(got.backend).toBe(status.backend);
        const eps = referenceNoise(args);
        const want = signPack(eps);
        // Host paths draw eps bit-exactly; a float32 device draw may flip the sign of |eps| < 1e-5 only.
        for (let i = 0; i < eps.length; i++) {
          const bit = (w: Uint32Array): number => (w[i >>> 5]! >>> (i & 31)) & 1;
          if (Math.abs(eps[i]!) > 1e-5) expect(bit(got.out.signs), `sign of eps[${i}] = ${eps[i]}`).toBe(bit(want));
        }
        expect(got.out.signs.length).toBe(want.length);
        return got.out.out;
      });
    });
  });
}

describe('the in-kernel generator of the GPU backends, compiled on gpu.js webasm', () => {
  const ctx = new GpujsContext('webasm');
  afterAll(() => ctx.destroy());
  it('noise-inject inside the kernel gives the reference RNG draw', async () => {
    await noiseMatchesReference(0, async (args) => {
      const out = await noiseInjectInKernel(ctx, args);
      expect(ctx.takeRanModes()).toEqual(['webasm']);
      return out;
    });
  });
});

/**
 * The absolute error of cos the backend's shading language promises: 2^-11 on WGSL and GLSL ES
 * (WGSL spec, built-in accuracy), which SwiftShader in Chromium uses to the full; 0 where cos is
 * float32-accurate (host JS and wasm; headless-gl's llvmpipe measured within the float32 bound).
 */
function cosAbsError(backend: string): number {
  return backend.startsWith('browser-') ? 2 ** -11 : 0;
}

/** fast-check property: `run` gives the reference noise-inject result within the float32 Box-Muller bound, plus r * cosAbs. */
async function noiseMatchesReference(cosAbs: number, run: (args: NoiseInjectArgs) => Promise<NumArray>): Promise<void> {
  const counter = fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 24 - 1 }),
    step: fc.nat({ max: 100000 }),
    layer: fc.nat({ max: 64 }),
    rowOffset: fc.nat({ max: 100000 }),
  });
  await fc.assert(
    fc.asyncProperty(layout, counter, async ({ rows, channels, spatial, seed: dataSeed }, c) => {
      const sigma = f32Data(channels, dataSeed).map((v) => Math.fround(0.01 + Math.abs(v)));
      const args = { z: f32Data(rows * channels * spatial, dataSeed + 1), sigma, rows, channels, spatial, ...c };
      const got = await run(args);
      const want = await referenceTable['noise-inject'](args);
      // Box-Muller in float32: rounding u1 by u moves the radius r = sqrt(-2 ln u1) by about u / r,
      // and log/sqrt/cos add a few ulp of r; plus one rounding of z + sigma eps.
      const units = channels * spatial;
      const tol = (i: number): number => {
        const [u1] = uniformPair({
          seed: c.seed,
          step: c.step,
          layer: c.layer,
          row: c.rowOffset + Math.floor(i / units),
          unit: i % units,
        });
        const r = Math.sqrt(-2 * Math.log(u1));
        return (
          sigma[Math.floor((i % units) / spatial)]! * ((16 * U32) / r + 64 * U32 * (1 + r) + r * cosAbs) +
          4 * U32 * Math.abs(want[i]!)
        );
      };
      expectClose(got, want, tol, `noise ${rows}x${channels}x${spatial} ${JSON.stringify(c)}`);
    }),
    { numRuns: 12 },
  );
}

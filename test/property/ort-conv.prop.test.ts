// onnxruntime's convolutions (kernels/ort/ort-conv.ts: Conv, ConvTranspose, the weight gradient as a
// Conv over transposed operands or one Gemm per tap) against the float64 reference kernels on drawn shapes (strides 1
// to 3, padding up to the kernel size, 1x1 and 3x3 kernels, batch 1-4, images down to 1x1), at 1
// and 2 threads bit-identical, writing only their output views.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ortConv2d, ortConvBackwardData, ortConvBackwardWeights } from '../../kernels/ort/ort-conv.js';
import { ortRunner, ortUnavailable } from '../../kernels/ort/ort-session.js';
import { conv2d } from '../../kernels/reference/conv2d.js';
import { conv2dInputGrad } from '../../kernels/reference/conv2d-input-grad.js';
import { conv2dWeightGrad } from '../../kernels/reference/conv2d-weight-grad.js';
import { channelSum } from '../../kernels/reference/channel-sum.js';
import type { ConvDims } from '../../kernels/reference/conv-dims.js';

const dimsArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 4 }),
    // 16 or more: the stride-1 weight gradient takes one Gemm per tap (ort-conv-taps.ts).
    inChannels: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 16, max: 18 })),
    outChannels: fc.integer({ min: 1, max: 5 }),
    kernelSize: fc.constantFrom(1, 3),
    stride: fc.integer({ min: 1, max: 3 }),
    padding: fc.integer({ min: 0, max: 3 }),
    height: fc.integer({ min: 1, max: 9 }),
    width: fc.integer({ min: 1, max: 9 }),
    seed: fc.integer(),
  })
  .filter((d) => d.padding <= d.kernelSize && d.height + 2 * d.padding >= d.kernelSize)
  .filter((d) => d.width + 2 * d.padding >= d.kernelSize);

function values(length: number, seed: number): Float32Array {
  let s = seed | 0;
  return Float32Array.from({ length }, () => ((s = (Math.imul(s, 1103515245) + 12345) | 0) >>> 8) / 2 ** 23 - 1);
}

/** `length` values inside a buffer of 7s, so a write past either end shows. */
function guarded(length: number): { buffer: Float32Array; out: Float32Array } {
  const buffer = new Float32Array(length + 2).fill(7);
  return { buffer, out: buffer.subarray(1, 1 + length) };
}

function expectNear(got: Float32Array, want: Float64Array, terms: number): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThanOrEqual(2e-6 * terms + 1e-7));
}

const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);

describe('onnxruntime convolutions', () => {
  it('onnxruntime-node loads here', () => expect(ortUnavailable()).toBeNull());

  test.prop([dimsArb], { numRuns: 80 })('match the reference at 1 and 2 threads, bit-identical', (drawn) => {
    const { seed, ...d } = drawn satisfies ConvDims & { seed: number };
    const oh = Math.floor((d.height + 2 * d.padding - d.kernelSize) / d.stride) + 1;
    const ow = Math.floor((d.width + 2 * d.padding - d.kernelSize) / d.stride) + 1;
    const x = values(d.batch * d.inChannels * d.height * d.width, seed);
    const w = values(d.outChannels * d.inChannels * d.kernelSize ** 2, seed + 1);
    const dy = values(d.batch * d.outChannels * oh * ow, seed + 2);
    const taps = d.inChannels * d.kernelSize ** 2;
    const run = (threads: number) => {
      const ort = ortRunner(threads)!;
      const y = guarded(dy.length);
      const dx = guarded(x.length);
      const gw = guarded(w.length);
      const gb = guarded(d.outChannels);
      ortConv2d(ort, x, w, y.out, d);
      ortConvBackwardData(ort, dy, w, dx.out, d);
      ortConvBackwardWeights(ort, dy, x, gw.out, gb.out, d);
      return [y, dx, gw, gb];
    };
    const one = run(1);
    for (const { buffer } of one) expect([buffer[0], buffer[buffer.length - 1]]).toEqual([7, 7]);
    const [y, dx, gw, gb] = one.map((g) => g.out) as [Float32Array, Float32Array, Float32Array, Float32Array];
    expectNear(y, conv2d(f64(x), f64(w), d), taps);
    expectNear(dx, conv2dInputGrad(f64(dy), f64(w), d), d.outChannels * d.kernelSize ** 2);
    expectNear(gw, conv2dWeightGrad(f64(dy), f64(x), d), d.batch * oh * ow);
    expectNear(gb, channelSum(f64(dy), d.batch, d.outChannels, oh * ow), d.batch * oh * ow);
    expect(run(2).map((g) => g.out)).toEqual([y, dx, gw, gb]);
    // A float64 dy (ALR's error signal) gives the bits of its float32 rounding.
    const dy64 = Float64Array.from(dy, (v) => v * (1 + 2 ** -30));
    const wide = [new Float32Array(w.length), new Float32Array(d.outChannels)] as const;
    const narrow = [new Float32Array(w.length), new Float32Array(d.outChannels)] as const;
    ortConvBackwardWeights(ortRunner(1)!, dy64, x, wide[0], wide[1], d);
    ortConvBackwardWeights(ortRunner(1)!, Float32Array.from(dy64), x, narrow[0], narrow[1], d);
    expect(wide).toEqual(narrow);
  });

  // Shapes large enough that MLAS splits the work between the two threads (resnet5's 32-channel layers, smaller batch).
  it.each([1, 2])("resnet-sized layers, stride %i: 2 threads give 1 thread's bits", (stride) => {
    const d = { batch: 4, inChannels: 32, height: 16, width: 16, outChannels: 32, kernelSize: 3, stride, padding: 1 };
    const oh = Math.floor((16 + 2 - 3) / stride) + 1;
    const x = values(4 * 32 * 16 * 16, 5);
    const w = values(32 * 32 * 9, 6);
    const dy = values(4 * 32 * oh * oh, 7);
    const run = (threads: number) => {
      const ort = ortRunner(threads)!;
      const out = [new Float32Array(dy.length), new Float32Array(x.length), new Float32Array(w.length)];
      ortConv2d(ort, x, w, out[0]!, d);
      ortConvBackwardData(ort, dy, w, out[1]!, d);
      ortConvBackwardWeights(ort, dy, x, out[2]!, new Float32Array(32), d);
      return out;
    };
    const one = run(1);
    expectNear(one[2]!, conv2dWeightGrad(f64(dy), f64(x), d), 4 * oh * oh);
    expect(run(2)).toEqual(one);
  });
});

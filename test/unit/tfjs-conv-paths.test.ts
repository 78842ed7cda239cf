// The tfjs-wasm backend's convolutions on both of their paths: onnxruntime (kernels/tfjs/tfjs-ort-conv.ts,
// the default where it loads) and TF.js's own ops (ALRFLOW_ORT=0, or onnxruntime absent), through the
// host table and the resident table, against the float64 reference kernels on drawn shapes (strides 1
// and 2, padding, 1x1 and 3x3 kernels, batch 1-4). onnxruntime's results at 1 and 2 threads are
// bit-identical, so a run's losses do not depend on the thread count.
import { fc, test } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceTensor } from '../../kernels/device-tensor.js';
import type { ConvDims, KernelTable } from '../../kernels/names.js';
import { ortRunner } from '../../kernels/ort/ort-session.js';
import { conv2d } from '../../kernels/reference/conv2d.js';
import { conv2dInputGrad } from '../../kernels/reference/conv2d-input-grad.js';
import { conv2dWeightGrad } from '../../kernels/reference/conv2d-weight-grad.js';
import { hostIo } from '../../kernels/tfjs/tfjs-io.js';
import { tfjsOrtRunner } from '../../kernels/tfjs/tfjs-ort-conv.js';
import { loadTfjs } from '../../kernels/tfjs/tfjs-runtime.js';
import { tfjsResidentTable, tfjsTable } from '../../kernels/tfjs/tfjs-table.js';

const tf = await loadTfjs();
const dimsArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 4 }),
    inChannels: fc.integer({ min: 1, max: 4 }),
    outChannels: fc.integer({ min: 1, max: 4 }),
    kernelSize: fc.constantFrom(1, 3),
    stride: fc.constantFrom(1, 2),
    padding: fc.integer({ min: 0, max: 1 }),
    height: fc.integer({ min: 3, max: 8 }),
    width: fc.integer({ min: 3, max: 8 }),
  })
  .filter((d) => d.padding < d.kernelSize);

function values(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
}

function expectNear(got: ArrayLike<number>, want: Float64Array, terms: number): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThanOrEqual(1e-6 * terms));
}

/** A result's values; a resident handle is downloaded and freed. */
async function read(a: unknown): Promise<number[]> {
  if (!(a instanceof DeviceTensor)) return Array.from(a as Float32Array);
  const values = Array.from(await a.download());
  a.dispose();
  return values;
}

type ConvKernels = Pick<KernelTable, 'conv2d' | 'conv2d-backward-data' | 'conv2d-backward-weights'>;

/** The three conv kernels of `table` on one drawn case: [forward, data gradient, weight gradient, bias gradient]. */
async function runAll(
  table: Pick<KernelTable, 'conv2d' | 'conv2d-backward-data' | 'conv2d-backward-weights'>,
  d: ConvDims,
) {
  const oh = Math.floor((d.height + 2 * d.padding - d.kernelSize) / d.stride) + 1;
  const ow = Math.floor((d.width + 2 * d.padding - d.kernelSize) / d.stride) + 1;
  const x = values(d.batch * d.inChannels * d.height * d.width, 1);
  const weights = values(d.outChannels * d.inChannels * d.kernelSize ** 2, 2);
  const dy = values(d.batch * d.outChannels * oh * ow, 3);
  const g = await table['conv2d-backward-weights']({ dy, x, dims: d });
  const got = [
    await read(await table.conv2d({ x, weights, dims: d })),
    await read(await table['conv2d-backward-data']({ dy, weights, dims: d })),
    await read(g.weights),
    await read(g.biases),
  ];
  const f64 = (a: Float32Array) => Float64Array.from(a);
  const want = [
    conv2d(f64(x), f64(weights), d),
    conv2dInputGrad(f64(dy), f64(weights), d),
    conv2dWeightGrad(f64(dy), f64(x), d),
  ];
  expectNear(got[0]!, want[0]!, d.inChannels * d.kernelSize ** 2);
  expectNear(got[1]!, want[1]!, d.outChannels * d.kernelSize ** 2);
  expectNear(got[2]!, want[2]!, d.batch * oh * ow);
  return got;
}

describe('tfjs-wasm convolutions', () => {
  afterEach(() => delete process.env.ALRFLOW_ORT);

  it('run on onnxruntime by default and on TF.js with ALRFLOW_ORT=0', () => {
    expect(tfjsOrtRunner()).not.toBeNull();
    process.env.ALRFLOW_ORT = '0';
    expect(tfjsOrtRunner()).toBeNull();
  });

  test.prop([dimsArb], { numRuns: 25 })('TF.js path (no onnxruntime) matches the reference', async (d) => {
    await runAll(tfjsTable(tf, hostIo(tf), null), d);
  });

  test.prop([dimsArb], { numRuns: 25 })(
    'onnxruntime path, host and resident, matches the reference, 1 and 2 threads bit-identical',
    async (d) => {
      const one = await runAll(tfjsTable(tf, hostIo(tf), ortRunner(1)), d);
      expect(await runAll(tfjsTable(tf, hostIo(tf), ortRunner(2)), d)).toEqual(one);
      // Typed by handles: the resident kernels take host arrays as well.
      const resident = tfjsResidentTable(tf, ortRunner(2)) as unknown as ConvKernels;
      const before = tf.memory().numTensors;
      expect(await runAll(resident, d)).toEqual(one);
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});

// tfjs-wasm's device operations (kernels/tfjs/tfjs-device-ops.ts), which keep a BP step's state in
// TF.js between steps: slices copied inside the wasm heap, joins, row repeats, the non-finite flag,
// sums, batch statistics and parameter sums, the gather and the loss with labels held as floats, each
// against the float64 reference (or exact values), and the noise operations refused with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { DeviceOps } from '../../kernels/device-ops.js';
import type { DeviceTensor } from '../../kernels/device-tensor.js';
import { batchnorm, channelSum } from '../../kernels/reference/index.js';
import { gather } from '../../kernels/reference/token-ops.js';
import { softmaxCrossEntropy } from '../../kernels/reference/softmax-cross-entropy.js';
import { loadTfjs } from '../../kernels/tfjs/tfjs-runtime.js';
import { tfjsDeviceOps } from '../../kernels/tfjs/tfjs-device-ops.js';

let tf: typeof TfCore;
let ops: DeviceOps;
const made: DeviceTensor[] = [];

beforeAll(async () => {
  tf = await loadTfjs();
  ops = tfjsDeviceOps(tf);
});
afterAll(() => {
  for (const h of made) h.dispose();
});

async function read(p: Promise<DeviceTensor>): Promise<number[]> {
  const h = await p;
  made.push(h);
  return Array.from(await h.download());
}

function data(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
}

const maxAbs = (a: readonly number[], b: ArrayLike<number>) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

describe('tfjs-wasm device operations', () => {
  it('slice handles inside the heap and host arrays by upload, join, repeat rows and sum exactly', async () => {
    const x = data(200_960, 1);
    const held = await ops.slice(x, 0, x.length);
    made.push(held);
    expect(await read(ops.slice(held, 0, 200_704))).toEqual(Array.from(x.subarray(0, 200_704)));
    expect(await read(ops.slice(held, 200_704, 256))).toEqual(Array.from(x.subarray(200_704)));
    expect(await read(ops.slice(Float64Array.of(1, 2, 3, 4, 5), 1, 3))).toEqual([2, 3, 4]);
    // A float64 upload written into the wasm memory rounds as Float32Array.from (overflow and underflow included).
    const wide = Float64Array.of(0.1, 1 / 3, -1e-46, 3.5e38, -(2 ** 130), Math.PI);
    expect(await read(ops.slice(wide, 0, wide.length))).toEqual(Array.from(Float32Array.from(wide)));
    expect(await read(ops.concat([Float32Array.of(1), held, Float32Array.of(4)]))).toEqual([1, ...x, 4]);
    expect(await read(ops.repeatRows(Float32Array.of(1, 2, 3, 4), 2, 3))).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
    expect(await read(ops.repeatRows(held, 1, 1))).toEqual(Array.from(x));
    expect(await read(ops.sum(Float32Array.from({ length: 1001 }, (_, i) => i)))).toEqual([500_500]);
    expect(await read(ops.scale(Float32Array.of(1, -2), 0.5))).toEqual([0.5, -1]);
    expect(await read(ops.atLeast(Float32Array.of(1, -2), 0))).toEqual([1, 0]);
    expect(await read(ops.fill(3, 1))).toEqual([1, 1, 1]);
  });

  // 2,570 values take the JS loop, 70,001 the TF.js ops; the largest finite float32 is not flagged.
  it.each([70_001, 2_570])('flag a NaN or an infinity anywhere in %i values, and nothing in finite ones', async (n) => {
    const finite = data(n, 2);
    finite[7] = 3.4028234663852886e38;
    const held = await ops.slice(finite, 0, n);
    made.push(held);
    expect(await read(ops.nonFinite(finite))).toEqual([0]);
    expect(await read(ops.nonFinite(held))).toEqual([0]);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const x = Float32Array.from(finite);
      x[n - 2] = bad;
      expect(await read(ops.nonFinite(x))).toEqual([1]);
      expect(await read(ops.nonFinite(await ops.slice(x, 0, n)))).toEqual([1]);
    }
  });

  it('batch statistics and the batch-norm and LayerNorm parameter sums match the float64 reference', async () => {
    const dims = { rows: 6, channels: 5, spatial: 9 };
    const n = dims.rows * dims.channels * dims.spatial;
    const x = Float64Array.from(data(n, 3), (v, i) => v + (i % 5));
    const dy = Float64Array.from(data(n, 4));
    const ones = new Float64Array(dims.channels).fill(1);
    const ref = batchnorm(x, ones, new Float64Array(dims.channels), dims);
    const stats = await ops.channelStats(x, dims);
    made.push(stats);
    expect(maxAbs(Array.from(await stats.download()), [...ref.stats.mean, ...ref.stats.variance])).toBeLessThan(1e-5);
    const sums = await read(ops.batchnormParamGradient({ dy, x, stats, ...dims, scale: 0.25 }));
    const weighted = dy.map((v, i) => v * ref.normalized[i]!);
    const want = [...channelSum(weighted, 6, 5, 9), ...channelSum(dy, 6, 5, 9)].map((v) => v * 0.25);
    expect(maxAbs(sums, want)).toBeLessThan(1e-5);
    // Without the scale the sums are 4x off: far outside the bound.
    expect(
      maxAbs(
        sums,
        want.map((v) => v * 4),
      ),
    ).toBeGreaterThan(1e-2);
    const products = await read(ops.productSums(dy, x, dims, 2));
    const wantProducts = [
      ...channelSum(
        dy.map((v, i) => v * x[i]!),
        6,
        5,
        9,
      ),
      ...channelSum(dy, 6, 5, 9),
    ];
    expect(
      maxAbs(
        products,
        wantProducts.map((v) => 2 * v),
      ),
    ).toBeLessThan(1e-5);
  });

  it('gather and the loss read index maps and labels held as floats, as the reference does from integers', async () => {
    const x = data(12, 5);
    const index = Int32Array.of(3, -1, 0, 11, 3);
    const want = gather({ x: Float64Array.from(x), index, scale: 2 });
    expect(maxAbs(await read(ops.gather(x, await ops.slice(Float32Array.from(index), 0, 5), 2)), want)).toBe(0);
    const [rows, classes] = [7, 4];
    const logits = data(rows * classes, 6).map((v) => 4 * v);
    const labels = Int32Array.from({ length: rows }, (_, r) => (r * 3) % classes);
    const held = await ops.slice(Float32Array.from(labels), 0, rows);
    made.push(held);
    const loss = await read(ops.crossEntropy({ logits, labels: held, rows, classes }));
    expect(maxAbs(loss, softmaxCrossEntropy(Float64Array.from(logits), labels, rows, classes).losses)).toBeLessThan(
      1e-6,
    );
    const gradient = await read(ops.crossEntropyGradient({ logits, labels: held, rows, classes }));
    const p = (r: number, c: number) => {
      const row = Array.from(logits.subarray(r * classes, (r + 1) * classes), Math.exp);
      return row[c]! / row.reduce((a, b) => a + b, 0);
    };
    const wantGradient = Array.from({ length: rows * classes }, (_, i) => {
      const [r, c] = [Math.floor(i / classes), i % classes];
      return (p(r, c) - (labels[r] === c ? 1 : 0)) / rows;
    });
    expect(maxAbs(gradient, wantGradient)).toBeLessThan(1e-7);
    const outOfRange = await ops.slice(Float32Array.of(0, 4, 1, 2, 3, 0, 1), 0, rows);
    made.push(outOfRange);
    await expect(ops.crossEntropy({ logits, labels: outOfRange, rows, classes })).rejects.toThrow(
      /row 1 has label 4; labels are integers in \[0, 4\)/,
    );
  });

  it('cover steps without noise only, and refuse the noise operations naming why', async () => {
    expect(ops.covers).toBe('no-noise');
    const sigma = Float32Array.of(1);
    expect(() =>
      ops.errorSignal({ eps: sigma, loss: sigma, sigma, rows: 1, channels: 1, spatial: 1, scale: 1 }),
    ).toThrow(/tfjs-wasm draws noise on the host/);
  });
});

describe('tfjs-wasm kernels of a step whose state stays in TF.js', () => {
  it('an activation with a bias made by a fill of zeros is the activation alone, bit for bit', async () => {
    const { tfjsResidentTable } = await import('../../kernels/tfjs/tfjs-table.js');
    const table = tfjsResidentTable(tf);
    const z = data(6 * 5, 12);
    const zeros = await ops.fill(5, 0);
    made.push(zeros);
    for (const activation of ['relu', 'none'] as const) {
      const args = { z, rows: 6, channels: 5, spatial: 1, activation };
      const got = await read(table['bias-activation']!({ ...args, bias: zeros }) as Promise<DeviceTensor>);
      const want = await read(
        table['bias-activation']!({ ...args, bias: new Float32Array(5) }) as Promise<DeviceTensor>,
      );
      expect(got).toEqual(want);
      expect(got).toEqual(Array.from(z, (v) => (activation === 'relu' ? Math.max(v, 0) : v)));
    }
  });

  it('BP through ReLU gives the host loop values exactly, other activations and batch-norm to float32 rounding', async () => {
    const { tfjsStateKernels } = await import('../../kernels/tfjs/tfjs-state-kernels.js');
    const { hostActivationBackward } = await import('../../kernels/host-elementwise.js');
    const { batchnormBackward } = await import('../../kernels/reference/step-ops.js');
    const kernels = tfjsStateKernels(tf);
    const [dy, x] = [data(999, 8), data(999, 9)];
    const held = async (p: Promise<unknown>) => read(p as Promise<DeviceTensor>);
    for (const activation of ['relu', 'tanh', 'silu', 'gelu'] as const) {
      const got = await held(kernels['activation-backward']({ dy, x, activation }));
      const want = hostActivationBackward({ dy, x, activation });
      expect(maxAbs(got, want)).toBeLessThanOrEqual(activation === 'relu' ? 0 : 1e-7);
    }
    // The ReLU loop works on bit patterns: every class of float32 x (signed zeros, subnormals, the
    // largest finite, infinities, NaNs of both signs, the int32 extremes' bits) against the host loop, bit for bit.
    const edges = new Float32Array(
      new Int32Array([
        0, -2147483648, 1, -2147483647, 0x007fffff, 0x7f7fffff, 0x7f800000, 0x7f800001, 0x7fffffff, -8388608, -8388607,
        -1, 0x3f800000, -1082130432,
      ]).buffer,
    );
    const gEdge = Float32Array.from(edges, (_, i) => (i % 2 ? -1.5 : 2.25) * (i + 1));
    const gotEdge = await held(kernels['activation-backward']({ dy: gEdge, x: edges, activation: 'relu' }));
    const wantEdge = hostActivationBackward({ dy: gEdge, x: edges, activation: 'relu' });
    expect(gotEdge.map((v) => (Object.is(v, 0) ? '+0' : String(v)))).toEqual(
      Array.from(wantEdge, (v) => (Object.is(v, 0) ? '+0' : String(v))),
    );
    const dims = { rows: 3, channels: 37, spatial: 9 };
    const [gamma, variance] = [data(37, 10), data(37, 11).map((v) => v + 0.6)];
    const got = await held(kernels['batchnorm-backward']({ dy, gamma, variance, ...dims }));
    const want = batchnormBackward({ dy, gamma, variance, ...dims });
    expect(maxAbs(got, want)).toBeLessThan(1e-6);
    // gamma left out (ones): far outside the bound.
    const plain = batchnormBackward({ dy, gamma: new Float32Array(37).fill(1), variance, ...dims });
    expect(maxAbs(got, plain)).toBeGreaterThan(1e-2);
  });
});

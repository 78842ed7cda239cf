// The TF.js path of tfjs-wasm's products (the one ALRFLOW_ORT=0 keeps; onnxruntime's are tested in
// tfjs-ort-products.test.ts). Its matmul-a-bt runs A B^T as (B A^T)^T where B is the larger side
// (kernels/tfjs/tfjs-table.ts): the product must have the bits of the plain form A transpose(B) at
// every shape, the layer shape of the MLP bench (64 x 784 by 256 x 784) included, and match the
// float64 reference.
import { describe, expect, it } from 'vitest';
import { loadTfjs } from '../../kernels/tfjs/tfjs-runtime.js';
import { tfjsTable } from '../../kernels/tfjs/tfjs-table.js';
import { hostIo } from '../../kernels/tfjs/tfjs-io.js';
import { referenceTable } from '../../kernels/registry-reference.js';

function values(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 30 - 1);
}

describe('tfjs-wasm matmul-a-bt orientation', () => {
  // [m, k, n]: the first four take the (B A^T)^T path (n k > m k + m n), the last three the plain one.
  const shapes = [
    [64, 784, 256],
    [7, 13, 29],
    [33, 1000, 257],
    [1, 50, 40],
    [512, 784, 256],
    [64, 256, 10],
    [128, 300, 100],
  ] as const;

  it.each(shapes)('m=%i k=%i n=%i: the bits of A transpose(B), and the reference to 1e-4', async (m, k, n) => {
    const tf = await loadTfjs();
    const a = values(m * k, m + k);
    const b = values(n * k, n + 3 * k);
    const out = await tfjsTable(tf, hostIo(tf), null)['matmul-a-bt']({ a, b, m, k, n });
    const plain = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.transpose(tf.tensor2d(b, [n, k])))).dataSync();
    expect(out).toEqual(plain);
    const exact = await referenceTable['matmul-a-bt']({ a: Float64Array.from(a), b: Float64Array.from(b), m, k, n });
    let worst = 0;
    exact.forEach((v: number, i: number) => (worst = Math.max(worst, Math.abs(out[i]! - v) / (Math.abs(v) + 1))));
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('tfjs-wasm lr-grad-product with unit loss, sigma and scale (BP gradient)', () => {
  // [rows, outs, ins]: the MLP's first layer (D^T by TF.js's transpose), an LR-like error signal of more
  // rows than columns (D^T by the JS loop of tfjs-transpose.ts).
  it.each([
    [64, 256, 784],
    [512, 64, 30],
  ] as const)(
    'rows=%i outs=%i ins=%i: the bits of D^T X and of D summed over rows, and the general path the reference',
    async (rows, outs, ins) => {
      const tf = await loadTfjs();
      const e = values(rows * outs, 5);
      const x = values(rows * ins, 9);
      const table = tfjsTable(tf, hostIo(tf), null);
      const ones = (n: number): Float64Array => new Float64Array(n).fill(1);
      const unit = await table['lr-grad-product']({
        loss: ones(rows),
        e,
        x,
        sigma: ones(outs),
        rows,
        outs,
        ins,
        scale: 1,
      });
      const product = tf.tidy(() => tf.matMul(tf.transpose(tf.tensor2d(e, [rows, outs])), tf.tensor2d(x, [rows, ins])));
      expect(unit.weights).toEqual(product.dataSync());
      expect(unit.biases).toEqual(tf.tidy(() => tf.sum(tf.tensor2d(e, [rows, outs]), 0)).dataSync());
      product.dispose();
      const loss = Float64Array.from(values(rows, 11));
      const sigma = Float64Array.from(values(outs, 13), (v) => 0.5 + Math.abs(v));
      const args = { loss, e, x, sigma, rows, outs, ins, scale: 0.25 };
      const general = await table['lr-grad-product'](args);
      const exact = await referenceTable['lr-grad-product']({
        ...args,
        e: Float64Array.from(e),
        x: Float64Array.from(x),
      });
      let worst = 0;
      exact.weights.forEach(
        (v: number, i: number) => (worst = Math.max(worst, Math.abs(general.weights[i]! - v) / (Math.abs(v) + 1))),
      );
      expect(worst).toBeLessThan(1e-4);
    },
  );
});

// The tfjs-wasm backend's matrix products on onnxruntime (kernels/tfjs/tfjs-ort-products.ts): every
// form against the float64 reference, host and resident (views of the wasm heap, the result written
// into a fresh TF.js tensor) with the same bits, bit-identical at 1 and 2 threads, still right after
// the wasm memory has grown under earlier views; and the registry's runner says so in its engine
// string and no longer splits the products over the worker pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadResult, isDeviceTensor } from '../../kernels/device-tensor.js';
import type { KernelTable } from '../../kernels/names.js';
import { ortRunner, ortUnavailable } from '../../kernels/ort/ort-session.js';
import { openBackend, type KernelRunner } from '../../kernels/registry.js';
import { referenceTable } from '../../kernels/registry-reference.js';
import { tfjsHandle } from '../../kernels/tfjs/tfjs-io.js';
import { loadTfjs } from '../../kernels/tfjs/tfjs-runtime.js';
import { tfjsResidentTable, tfjsTable } from '../../kernels/tfjs/tfjs-table.js';

function values(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
}

/** Largest |got - want| / (|want| + 1). */
function worst(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let w = 0;
  for (let i = 0; i < want.length; i++) w = Math.max(w, Math.abs(got[i]! - want[i]!) / (Math.abs(want[i]!) + 1));
  return w;
}

const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);
type Tf = Awaited<ReturnType<typeof loadTfjs>>;

// The MLP step's products (m, k, n): its two layers forward, fc2's backward, and an odd shape.
const shapes = [
  [64, 784, 256],
  [4096, 256, 10],
  [64, 10, 256],
  [7, 13, 29],
] as const;
const forms = ['matmul', 'matmul-at-b', 'matmul-a-bt'] as const;

describe('tfjs-wasm products on onnxruntime', () => {
  let tf: Tf;
  let one: KernelTable;
  let two: KernelTable;
  beforeAll(async () => {
    expect(ortUnavailable()).toBeNull();
    tf = await loadTfjs();
    one = tfjsTable(tf, undefined, ortRunner(1));
    two = tfjsTable(tf, undefined, ortRunner(2));
  });

  it.each(shapes.flatMap((s) => forms.map((f) => [f, ...s] as const)))(
    '%s m=%i k=%i n=%i: the reference to 1e-5, the same bits at 1 and 2 threads and resident',
    async (form, m, k, n) => {
      const [a, b] = [values(m * k, m + k), values(k * n, n + 3 * k)];
      const args = { a, b, m, k, n };
      const out = await one[form](args);
      expect(worst(out, await referenceTable[form]({ ...args, a: f64(a), b: f64(b) }))).toBeLessThan(1e-5);
      expect(await two[form](args)).toEqual(out);
      const resident = tfjsResidentTable(tf, ortRunner(1));
      const before = tf.memory().numTensors;
      const [ha, hb] = [tfjsHandle(tf.tensor1d(a)), tfjsHandle(tf.tensor1d(b))];
      const r = (await resident[form]!({ a: ha, b: hb, m, k, n })) as unknown;
      expect(isDeviceTensor(r)).toBe(true);
      expect(await downloadResult(r)).toEqual(out);
      for (const h of [ha, hb, r]) (h as { dispose(): void }).dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('reads a handle through a fresh view after the wasm memory has grown', async () => {
    const resident = tfjsResidentTable(tf, ortRunner(1));
    const [m, k, n] = [33, 70, 20];
    const [a, b] = [values(m * k, 3), values(k * n, 4)];
    const ha = tfjsHandle(tf.tensor1d(a));
    const stale = (tf.backend() as unknown as { typedArrayFromHeap(t: unknown): Float32Array }).typedArrayFromHeap(
      ha.native,
    );
    // 64 MiB more than TF.js held: the heap grows, and views taken before it are detached.
    const big = tf.zeros([16 * 2 ** 20]);
    expect(stale.length).toBe(0);
    const r = await resident.matmul!({ a: ha, b, m, k, n });
    expect(await downloadResult(r)).toEqual(await one.matmul({ a, b, m, k, n }));
    tf.dispose(big);
    ha.dispose();
    (r as unknown as { dispose(): void }).dispose();
  });

  it.each([
    [64, 256, 784],
    [4096, 10, 256],
    [9, 5, 11],
  ] as const)(
    'lr-grad-product rows=%i outs=%i ins=%i: unit and general, the reference to 1e-5',
    async (rows, outs, ins) => {
      const [e, x] = [values(rows * outs, 5), values(rows * ins, 9)];
      const ones = (n: number): Float64Array => new Float64Array(n).fill(1);
      const loss = f64(values(rows, 11));
      const sigma = Float64Array.from(values(outs, 13), (v) => 0.5 + Math.abs(v));
      for (const args of [
        { loss: ones(rows), e, x, sigma: ones(outs), rows, outs, ins, scale: 1 },
        { loss, e, x, sigma, rows, outs, ins, scale: 0.25 },
      ]) {
        const got = await one['lr-grad-product'](args);
        const exact = await referenceTable['lr-grad-product']({ ...args, e: f64(e), x: f64(x) });
        expect(worst(got.weights, exact.weights)).toBeLessThan(1e-5);
        expect(worst(got.biases, exact.biases)).toBeLessThan(1e-5);
        expect(await two['lr-grad-product'](args)).toEqual(got);
        const resident = tfjsResidentTable(tf, ortRunner(2));
        const [he, hx] = [tfjsHandle(tf.tensor1d(e)), tfjsHandle(tf.tensor1d(x))];
        const r = await resident['lr-grad-product']!({ ...args, e: he, x: hx });
        expect(await downloadResult(r)).toEqual(got);
        for (const h of [he, hx, r.weights, r.biases]) (h as { dispose(): void }).dispose();
      }
    },
  );
});

describe('the tfjs-wasm runner with onnxruntime', () => {
  let runner: KernelRunner;
  let tf: Tf;
  beforeAll(async () => {
    runner = await openBackend('tfjs-wasm');
    tf = await loadTfjs();
  });
  afterAll(() => runner.dispose());

  it('names onnxruntime MLAS in its engine and runs the products there, resident too', async () => {
    expect(runner.engine).toMatch(
      /matrix products, convolutions and max pooling on onnxruntime-node \d+\.\d+\.\d+ MLAS, \d+ intra-op threads?$/,
    );
    const [m, k, n] = [64, 784, 256];
    const [a, b] = [values(m * k, 1), values(n * k, 2)];
    const native = await tfjsTable(tf, undefined, ortRunner(1))['matmul-a-bt']({ a, b, m, k, n });
    expect((await runner.run('matmul-a-bt', { a, b, m, k, n })).out).toEqual(native);
    // Large enough that the pool would have split it on TF.js: on onnxruntime it stays resident.
    const ha = tfjsHandle(tf.tensor1d(a));
    const r = await runner.runResident('matmul-a-bt', { a: ha, b, m, k, n });
    expect(isDeviceTensor(r.out)).toBe(true);
    expect(await downloadResult(r.out)).toEqual(native);
    ha.dispose();
    (r.out as unknown as { dispose(): void }).dispose();
  });
});

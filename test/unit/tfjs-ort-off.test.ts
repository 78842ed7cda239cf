// ALRFLOW_ORT=0 keeps the tfjs-wasm backend's products on TF.js (kernels/tfjs/tfjs-table.ts's own
// kernels, split over the worker pool when large): its engine string names no onnxruntime, and its
// products and a BP training step have the TF.js kernels' bits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackend, type KernelRunner } from '../../kernels/registry.js';
import { loadTfjs, tfjsReady } from '../../kernels/tfjs/tfjs-runtime.js';
import { tfjsTable } from '../../kernels/tfjs/tfjs-table.js';
import { ortRunner } from '../../kernels/ort/ort-session.js';

function values(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
}

describe('tfjs-wasm with ALRFLOW_ORT=0', () => {
  let runner: KernelRunner;
  const saved = process.env.ALRFLOW_ORT;
  beforeAll(async () => {
    process.env.ALRFLOW_ORT = '0';
    runner = await openBackend('tfjs-wasm');
  });
  afterAll(async () => {
    await runner.dispose();
    if (saved === undefined) delete process.env.ALRFLOW_ORT;
    else process.env.ALRFLOW_ORT = saved;
  });

  it('names no onnxruntime and runs the products on TF.js', async () => {
    expect(ortRunner(1)).toBeNull();
    expect(runner.engine).not.toMatch(/onnxruntime/);
    expect(await tfjsReady()).not.toMatch(/onnxruntime/);
    const tf = await loadTfjs();
    const [m, k, n] = [9, 31, 17];
    const [a, b] = [values(m * k, 1), values(n * k, 2)];
    const own = await tfjsTable(tf)['matmul-a-bt']({ a, b, m, k, n });
    expect((await runner.run('matmul-a-bt', { a, b, m, k, n })).out).toEqual(own);
  });
});

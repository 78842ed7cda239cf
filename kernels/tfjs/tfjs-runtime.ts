// Loads TF.js core with its wasm backend once per process and reports the engine string. Kept
// separate so nothing pulls in TF.js until a tfjs-wasm kernel or probe actually runs (TF.js is a
// devDependency today; detection reports it as unavailable when it is not installed).
import type * as TfCore from '@tensorflow/tfjs-core';
import type { OrtRunner } from '../ort/ort-session.js';

let ready: Promise<typeof TfCore> | undefined;

export function loadTfjs(): Promise<typeof TfCore> {
  ready ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // TF.js logs a "hi there" banner for platform detection; keep CLI output clean.
    tf.env().set('IS_TEST', true);
    const ok = await tf.setBackend('wasm');
    if (!ok || tf.getBackend() !== 'wasm')
      throw new Error(`tf.setBackend("wasm") failed; active backend is ${tf.getBackend()}`);
    await tf.ready();
    void wasm;
    return tf;
  })();
  return ready;
}

/**
 * Loads TF.js and describes the engine, e.g. "tfjs-core 4.22.0 wasm XNNPACK SIMD, 2 threads (...);
 * matrix products, convolutions and max pooling on onnxruntime-node 1.30.0 MLAS, 2 intra-op threads". TF.js wasm
 * itself runs one thread in Node; the threads are alrflow's worker pool (tfjs-worker-pool.ts) and,
 * for the products and convolutions (tfjs-ort-products.ts, tfjs-ort-conv.ts), onnxruntime's own.
 */
export async function tfjsReady(): Promise<string> {
  const tf = await loadTfjs();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { tfjsThreads } = await import('./tfjs-worker-pool.js');
  const threads = tfjsThreads();
  const { tfjsOrtRunner } = await import('./tfjs-ort-conv.js');
  const ort = tfjsOrtRunner();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true ? ' SIMD' : '';
  const splitKinds = ort ? 'noise' : 'matmul, conv2d and noise';
  const split =
    threads > 1
      ? ` (a ${wasm.getThreadsCount()}-thread TF.js wasm instance per thread; large ${splitKinds} calls split by rows)`
      : '';
  const products = ort ? `; ${await ortProductsEngine(ort)}` : '';
  return `tfjs-core ${tf.version_core} wasm XNNPACK${simd}, ${threads} thread${threads > 1 ? 's' : ''}${split}${products}`;
}

async function ortProductsEngine(ort: OrtRunner): Promise<string> {
  const { ortVersion } = await import('../ort/ort-session.js');
  return `matrix products, convolutions and max pooling on onnxruntime-node ${ortVersion()} MLAS, ${ort.threads} intra-op thread${ort.threads > 1 ? 's' : ''}`;
}

// The `tfjs-wasm` backend: every registry kernel on TensorFlow.js's wasm backend (XNNPACK, SIMD),
// the fast CPU path (gpu.js webasm runs a matmul ~15x slower here; bench/kernels.bench.ts). It is a
// CPU backend, so noise-inject draws its eps on the host from the reference RNG (rng.ts), sign-pack
// packs bits on the host (TF.js has no integer bit operations) and the SGD update is a host loop
// (faster than a TF.js round trip; host-elementwise.ts). Not a GPU path.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { KernelName, KernelTable, NumArray } from '../names.js';
import { convDims } from '../reference/conv-dims.js';
import { tfjsFallback, tfjsGraphOps } from './tfjs-graph-ops.js';
import { hostSgdUpdate, hostSignPack } from '../host-elementwise.js';
import { hostNoiseInject, hostNoiseInjectSigns } from '../host-noise.js';

type Tf = typeof TfCore;

/** Kernels this backend computes in host JS rather than TF.js (they move no data to or from TF.js). */
export const TFJS_HOST_KERNELS: ReadonlySet<KernelName> = new Set(['noise-inject', 'noise-inject-signs', 'sign-pack', 'sgd-update']);
const f32 = (a: NumArray | Int32Array): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));

/** Runs `fn` in a tidy scope and reads the result back as a fresh Float32Array. */
function read(tf: Tf, fn: () => TfCore.Tensor): Float32Array {
  const t = tf.tidy(fn);
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

/**
 * Transposes are explicit: TF.js wasm's matMul with transposeA/transposeB set runs ~20x slower than
 * tf.transpose followed by a plain matMul (measured at 512: 661 ms vs 39 ms).
 */
function matmulOp(tf: Tf, transposeA: boolean, transposeB: boolean): KernelTable['matmul'] {
  return async ({ a, b, m, k, n }) =>
    read(tf, () => {
      const at = transposeA ? tf.transpose(tf.tensor2d(f32(a), [k, m])) : tf.tensor2d(f32(a), [m, k]);
      const bt = transposeB ? tf.transpose(tf.tensor2d(f32(b), [n, k])) : tf.tensor2d(f32(b), [k, n]);
      return tf.matMul(at, bt);
    });
}

export function tfjsTable(tf: Tf): KernelTable {
  return {
    ...tfjsFallback.table,
    ...tfjsGraphOps(tf),
    matmul: matmulOp(tf, false, false),
    'matmul-at-b': matmulOp(tf, true, false),
    'matmul-a-bt': matmulOp(tf, false, true),
    conv2d: async ({ x, weights, dims: d }) => {
      convDims('conv2d', d);
      return read(tf, () => {
        // TF.js wasm convolves NHWC with HWIO filters; transpose in and out of the NCHW contract.
        const xt = tf.transpose(tf.tensor4d(f32(x), [d.batch, d.inChannels, d.height, d.width]), [0, 2, 3, 1]);
        const wt = tf.transpose(tf.tensor4d(f32(weights), [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize]), [2, 3, 1, 0]);
        const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [d.padding, d.padding], [d.padding, d.padding], [0, 0]];
        return tf.transpose(tf.conv2d(xt, wt, d.stride, pad), [0, 3, 1, 2]);
      });
    },
    'bias-activation': async ({ z, bias, rows, channels, spatial, activation }) =>
      read(tf, () => {
        const pre = tf.add(tf.tensor3d(f32(z), [rows, channels, spatial]), tf.tensor3d(f32(bias), [1, channels, 1]));
        switch (activation) {
          case 'none':
            return pre;
          case 'relu':
            return tf.relu(pre);
          case 'tanh':
            return tf.tanh(pre);
          default:
            return activation satisfies never;
        }
      }),
    // Host-side: a JS loop over the counter RNG beats uploading eps and adding it in TF.js.
    'noise-inject': async (a) => hostNoiseInject(a),
    'noise-inject-signs': async (a) => hostNoiseInjectSigns(a),
    'sign-pack': async ({ values }) => hostSignPack(values),
    'lr-grad-product': async ({ loss, e, x, sigma, rows, outs, ins, scale }) => {
      const [weights, biases] = tf.tidy(() => {
        const coef = tf.mul(tf.tensor2d(f32(loss), [rows, 1]), tf.tensor2d(f32(e), [rows, outs]));
        const perOut = tf.div(tf.scalar(scale), tf.tensor1d(f32(sigma)));
        const w = tf.mul(tf.matMul(tf.transpose(coef), tf.tensor2d(f32(x), [rows, ins])), tf.reshape(perOut, [outs, 1]));
        return [w, tf.mul(tf.sum(coef, 0), perOut)];
      });
      const out = { weights: weights!.dataSync() as Float32Array, biases: biases!.dataSync() as Float32Array };
      weights!.dispose();
      biases!.dispose();
      return out;
    },
    'softmax-cross-entropy': async ({ logits, labels, rows, classes }) =>
      read(tf, () => {
        // gather, not oneHot: TF.js's oneHot refuses a depth of 1 (a one-class head is legal here).
        const logp = tf.reshape(tf.logSoftmax(tf.tensor2d(f32(logits), [rows, classes])), [rows * classes]);
        const at = Int32Array.from(labels, (label, r) => r * classes + label);
        return tf.neg(tf.gather(logp, tf.tensor1d(at, 'int32')));
      }),
    'row-sum': async ({ x, rows, cols }) => read(tf, () => tf.sum(tf.tensor2d(f32(x), [rows, cols]), 1)),
    'sgd-update': async (a) => hostSgdUpdate(a),
    'adam-update': async ({ w, g, m, v, lr, beta1, beta2, eps, t }) => {
      const gt = (): TfCore.Tensor1D => tf.tensor1d(f32(g));
      const m1 = read(tf, () => tf.add(tf.mul(tf.tensor1d(f32(m)), beta1), tf.mul(gt(), 1 - beta1)));
      const v1 = read(tf, () => tf.add(tf.mul(tf.tensor1d(f32(v)), beta2), tf.mul(tf.square(gt()), 1 - beta2)));
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      const w1 = read(tf, () => tf.sub(tf.tensor1d(f32(w)), tf.div(tf.mul(tf.tensor1d(m1), lr / c1), tf.add(tf.sqrt(tf.div(tf.tensor1d(v1), c2)), eps))));
      return { w: w1, m: m1, v: v1 };
    },
  };
}

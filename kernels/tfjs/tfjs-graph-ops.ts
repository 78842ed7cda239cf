// TF.js wasm versions of the graph executor's conv-net kernels that TF.js has ops for (batchnorm
// with given statistics, pooling, add, copy reduction). Pool and conv backward have no public
// TF.js op with this layout yet: they run the float64 reference code, and the registry stamps
// those calls `reference` (tfjsFallback).
import type * as TfCore from '@tensorflow/tfjs-core';
import type { KernelTable, NumArray } from '../names.js';
import { referenceFallback } from '../registry-reference-graph.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';

type Tf = typeof TfCore;
const f32 = (a: NumArray): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));

function read(tf: Tf, fn: () => TfCore.Tensor): Float32Array {
  const t = tf.tidy(fn);
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

export const tfjsFallback = referenceFallback(['pool-backward', 'conv2d-backward-data', 'conv2d-backward-weights']);

export function tfjsGraphOps(tf: Tf): Pick<KernelTable, 'batchnorm' | 'pool' | 'add' | 'copy-sum'> {
  return {
    batchnorm: async ({ x, gamma, beta, mean, variance, rows, channels, spatial }) =>
      read(tf, () => {
        const c = (a: NumArray): TfCore.Tensor3D => tf.tensor3d(f32(a), [1, channels, 1]);
        // Written out: tf.batchNorm broadcasts its statistics along the last axis only, not the channel axis of [rows, C, S].
        const scale = tf.div(c(gamma), tf.sqrt(tf.add(c(variance), batchnormEpsilon)));
        return tf.add(tf.mul(tf.sub(tf.tensor3d(f32(x), [rows, channels, spatial]), c(mean)), scale), c(beta));
      }),
    pool: async ({ x, op, dims: d }) =>
      read(tf, () => {
        // NCHW in and out; TF.js pools NHWC.
        const nhwc = tf.transpose(tf.tensor4d(f32(x), [d.rows, d.channels, d.height, d.width]), [0, 2, 3, 1]);
        const pooled = op === 'max' ? tf.maxPool(nhwc, d.size, d.stride, 'valid') : tf.avgPool(nhwc, d.size, d.stride, 'valid');
        return tf.transpose(pooled, [0, 3, 1, 2]);
      }),
    add: async ({ a, b }) => read(tf, () => tf.add(tf.tensor1d(f32(a)), tf.tensor1d(f32(b)))),
    'copy-sum': async ({ x, samples, copies, width }) => read(tf, () => tf.sum(tf.tensor3d(f32(x), [samples, copies, width]), 1)),
  };
}

// TF.js wasm versions of the graph executor's conv-net kernels that TF.js has ops for (batchnorm
// with given statistics, pooling, add, copy reduction). Pool and conv backward have no public
// TF.js op with this layout yet: they run the float64 reference code, and the registry stamps
// those calls `reference` (tfjsFallback). Tensors enter and leave through a TfjsIo (host arrays, or
// handles kept in TF.js: tfjs-io.ts).
import type * as TfCore from '@tensorflow/tfjs-core';
import type { KernelTable, NumArray } from '../names.js';
import { referenceFallback } from '../registry-reference-graph.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';
import { hostIo, type TfjsIo } from './tfjs-io.js';

type Tf = typeof TfCore;

export const tfjsFallback = referenceFallback(['pool-backward', 'conv2d-backward-data', 'conv2d-backward-weights']);

export function tfjsGraphOps(tf: Tf, io: TfjsIo = hostIo(tf)): Pick<KernelTable, 'batchnorm' | 'pool' | 'add' | 'copy-sum'> {
  return {
    batchnorm: async ({ x, gamma, beta, mean, variance, rows, channels, spatial }) =>
      io.output(() => {
        const c = (a: NumArray): TfCore.Tensor3D => io.tensor3d(a, [1, channels, 1]);
        // Written out: tf.batchNorm broadcasts its statistics along the last axis only, not the channel axis of [rows, C, S].
        const scale = tf.div(c(gamma), tf.sqrt(tf.add(c(variance), batchnormEpsilon)));
        return tf.add(tf.mul(tf.sub(io.tensor3d(x, [rows, channels, spatial]), c(mean)), scale), c(beta));
      }),
    pool: async ({ x, op, dims: d }) =>
      io.output(() => {
        // NCHW in and out; TF.js pools NHWC.
        const nhwc = tf.transpose(io.tensor4d(x, [d.rows, d.channels, d.height, d.width]), [0, 2, 3, 1]);
        const pooled = op === 'max' ? tf.maxPool(nhwc, d.size, d.stride, 'valid') : tf.avgPool(nhwc, d.size, d.stride, 'valid');
        return tf.transpose(pooled, [0, 3, 1, 2]);
      }),
    add: async ({ a, b }) => io.output(() => tf.add(io.tensor1d(a), io.tensor1d(b))),
    'copy-sum': async ({ x, samples, copies, width }) => io.output(() => tf.sum(io.tensor3d(x, [samples, copies, width]), 1)),
  };
}

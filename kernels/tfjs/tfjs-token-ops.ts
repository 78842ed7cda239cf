// TF.js wasm versions of the token kernels (token-op-args.ts): LayerNorm by tf.moments, batched
// products as 3-D matMuls (transposes explicit, as tfjs-table.ts's matmuls), the row softmax with a
// -Infinity causal mask, and the gather as tf.gather over x with one zero appended (index -1 reads
// it). Host arrays in and out (hostIo); none of them runs resident yet.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { KernelTable } from '../names.js';
import type { TokenKernelName } from '../token-op-args.js';
import { hostIo, type TfjsIo } from './tfjs-io.js';

type Tf = typeof TfCore;

/** xhat and 1/sqrt(var + eps) of rows of `features` values. */
function normalised(tf: Tf, x: TfCore.Tensor2D, epsilon: number): { xhat: TfCore.Tensor2D; inv: TfCore.Tensor2D } {
  const { mean, variance } = tf.moments(x, 1, true);
  const inv = tf.rsqrt(tf.add(variance, epsilon)) as TfCore.Tensor2D;
  return { xhat: tf.mul(tf.sub(x, mean), inv), inv };
}

/** The causal mask of softmax-rows: 0 where row r keeps column j (j <= r mod width), else -Infinity. */
function causalMask(rows: number, width: number): Float32Array {
  const mask = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) mask.fill(-Infinity, r * width + (r % width) + 1, (r + 1) * width);
  return mask;
}

function batchMatmul(tf: Tf, io: TfjsIo): KernelTable['batch-matmul'] {
  return async ({ a, b, groups, m, k, n, transpose }) =>
    io.output(() => {
      const at =
        transpose === 'a' ? tf.transpose(io.tensor3d(a, [groups, k, m]), [0, 2, 1]) : io.tensor3d(a, [groups, m, k]);
      const bt =
        transpose === 'b' ? tf.transpose(io.tensor3d(b, [groups, n, k]), [0, 2, 1]) : io.tensor3d(b, [groups, k, n]);
      return tf.matMul(at, bt);
    });
}

export function tfjsTokenOps(tf: Tf, io: TfjsIo = hostIo(tf)): Pick<KernelTable, TokenKernelName> {
  return {
    layernorm: async ({ x, gamma, beta, rows, features, epsilon }) =>
      io.output(() => {
        const { xhat } = normalised(tf, io.tensor2d(x, [rows, features]), epsilon);
        return tf.add(tf.mul(xhat, io.tensor2d(gamma, [1, features])), io.tensor2d(beta, [1, features]));
      }),
    'layernorm-backward': async ({ dy, x, gamma, rows, features, epsilon }) =>
      io.output(() => {
        const { xhat, inv } = normalised(tf, io.tensor2d(x, [rows, features]), epsilon);
        const g = tf.mul(io.tensor2d(dy, [rows, features]), io.tensor2d(gamma, [1, features]));
        const centred = tf.sub(g, tf.mean(g, 1, true));
        return tf.mul(inv, tf.sub(centred, tf.mul(xhat, tf.mean(tf.mul(g, xhat), 1, true))));
      }),
    'layernorm-grad': async ({ dy, x, rows, features, epsilon }) => {
      const [weights, biases] = io.outputs(() => {
        const { xhat } = normalised(tf, io.tensor2d(x, [rows, features]), epsilon);
        const d = io.tensor2d(dy, [rows, features]);
        return [tf.sum(tf.mul(d, xhat), 0), tf.sum(d, 0)];
      });
      return { weights: weights!, biases: biases! };
    },
    'batch-matmul': batchMatmul(tf, io),
    'softmax-rows': async ({ x, rows, width, scale, causal }) =>
      io.output(() => {
        const scaled = tf.mul(io.tensor2d(x, [rows, width]), scale);
        return tf.softmax(causal ? tf.add(scaled, tf.tensor2d(causalMask(rows, width), [rows, width])) : scaled);
      }),
    'softmax-rows-backward': async ({ dy, p, rows, width, scale }) =>
      io.output(() => {
        const [d, pt] = [io.tensor2d(dy, [rows, width]), io.tensor2d(p, [rows, width])];
        return tf.mul(tf.mul(pt, tf.sub(d, tf.sum(tf.mul(pt, d), 1, true))), scale);
      }),
    gather: async ({ x, index, scale }) =>
      io.output(() => {
        const padded = tf.concat([io.tensor1d(x), tf.zeros([1])]);
        const at = Int32Array.from(index, (i) => (i < 0 ? x.length : i));
        return tf.mul(tf.gather(padded, tf.tensor1d(at, 'int32')), scale);
      }),
  };
}

// SiLU (swish): x * sigmoid(x); BP: dx = dy * s * (1 + x * (1 - s)) with s = sigmoid(x).
import type { ActivationOp } from './activation-op.js';

export const silu: ActivationOp = {
  forward: (x) => x / (1 + Math.exp(-x)),
  backward: (dy, x) => (dy * (1 + x * (1 - 1 / (1 + Math.exp(-x))))) / (1 + Math.exp(-x)),
  tfjs: (tf, x) => tf.mul(x, tf.sigmoid(x)),
  opsPerElement: 10,
};

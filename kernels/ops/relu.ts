// ReLU: max(x, 0); BP passes dy where the forward input was positive.
import type { ActivationOp } from './activation-op.js';

export const relu: ActivationOp = {
  forward: (x) => (x > 0 ? x : 0),
  backward: (dy, x) => (x > 0 ? dy : 0),
  tfjs: (tf, x) => tf.relu(x),
  opsPerElement: 2,
};

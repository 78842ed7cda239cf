// tanh; BP from the forward input: dx = dy * (1 - tanh(x)^2).
import type { ActivationOp } from './activation-op.js';

export const tanh: ActivationOp = {
  forward: (x) => Math.tanh(x),
  backward: (dy, x) => dy * (1 - Math.tanh(x) * Math.tanh(x)),
  tfjs: (tf, x) => tf.tanh(x),
  opsPerElement: 8,
};

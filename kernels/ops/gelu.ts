// GELU, exact form: x * Phi(x) with Phi the standard normal CDF, 0.5 * (1 + erf(x / sqrt 2)); erf is
// Abramowitz and Stegun 7.1.26, 1 - t P(t) exp(-z^2) with t = 1 / (1 + 0.3275911 z), absolute error
// below 1.5e-7, written inside each function because gpu.js compiles these functions on their own
// (no shared helpers, no Math.erf). BP is the derivative of that forward itself (not Phi + x phi,
// which differs from it by up to 3e-7): dx = dy * (0.5 (1 + erf~) + x / 2 * d erf~ / dx).
import type { ActivationOp } from './activation-op.js';

export const gelu: ActivationOp = {
  forward: (x) => {
    const t = 1 / (1 + 0.2316418822 * Math.abs(x));
    const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    const erf = (x >= 0 ? 1 : -1) * (1 - poly * Math.exp(-0.5 * x * x));
    return 0.5 * x * (1 + erf);
  },
  backward: (dy, x) => {
    const t = 1 / (1 + 0.2316418822 * Math.abs(x));
    const e = Math.exp(-0.5 * x * x);
    const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    const dPoly = 0.254829592 + t * (-0.568993472 + t * (4.264241223 + t * (-5.812608108 + t * 5.307027145)));
    const erf = (x >= 0 ? 1 : -1) * (1 - poly * e);
    const dErf = e * (0.2316418822 * t * t * dPoly + Math.abs(x) * poly);
    return dy * (0.5 * (1 + erf) + 0.5 * x * dErf);
  },
  tfjs: (tf, x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
  opsPerElement: 16,
};

// GELU, exact form: x * Phi(x) with Phi the standard normal CDF, 0.5 * (1 + erf(x / sqrt 2)); erf is
// Abramowitz and Stegun 7.1.26, 1 - t P(t) exp(-z^2) with t = 1 / (1 + 0.3275911 z), absolute error
// below 1.5e-7, written out inline because gpu.js compiles these functions on their own parameter
// (no helpers, no Math.erf). BP is the derivative of that forward itself (not Phi + x phi, which
// differs from it by up to 3e-7): dx = dy * (0.5 (1 + erf~) + x / 2 * d erf~ / dx).
import type { ActivationOp } from './activation-op.js';

export const gelu: ActivationOp = {
  forward: (x) =>
    0.5 *
    x *
    (1 +
      (x >= 0 ? 1 : -1) *
        (1 -
          (1 / (1 + 0.2316418822 * Math.abs(x))) *
            (0.254829592 +
              (1 / (1 + 0.2316418822 * Math.abs(x))) *
                (-0.284496736 +
                  (1 / (1 + 0.2316418822 * Math.abs(x))) *
                    (1.421413741 +
                      (1 / (1 + 0.2316418822 * Math.abs(x))) *
                        (-1.453152027 + (1 / (1 + 0.2316418822 * Math.abs(x))) * 1.061405429)))) *
            Math.exp(-0.5 * x * x))),
  backward: (dy, x) =>
    dy *
    (0.5 *
      (1 +
        (x >= 0 ? 1 : -1) *
          (1 -
            (1 / (1 + 0.2316418822 * Math.abs(x))) *
              (0.254829592 +
                (1 / (1 + 0.2316418822 * Math.abs(x))) *
                  (-0.284496736 +
                    (1 / (1 + 0.2316418822 * Math.abs(x))) *
                      (1.421413741 +
                        (1 / (1 + 0.2316418822 * Math.abs(x))) *
                          (-1.453152027 + (1 / (1 + 0.2316418822 * Math.abs(x))) * 1.061405429)))) *
              Math.exp(-0.5 * x * x))) +
      0.5 *
        x *
        Math.exp(-0.5 * x * x) *
        (0.2316418822 *
          (1 / (1 + 0.2316418822 * Math.abs(x))) *
          (1 / (1 + 0.2316418822 * Math.abs(x))) *
          (0.254829592 +
            (1 / (1 + 0.2316418822 * Math.abs(x))) *
              (-0.568993472 +
                (1 / (1 + 0.2316418822 * Math.abs(x))) *
                  (4.264241223 +
                    (1 / (1 + 0.2316418822 * Math.abs(x))) *
                      (-5.812608108 + (1 / (1 + 0.2316418822 * Math.abs(x))) * 5.307027145)))) +
          Math.abs(x) *
            ((1 / (1 + 0.2316418822 * Math.abs(x))) *
              (0.254829592 +
                (1 / (1 + 0.2316418822 * Math.abs(x))) *
                  (-0.284496736 +
                    (1 / (1 + 0.2316418822 * Math.abs(x))) *
                      (1.421413741 +
                        (1 / (1 + 0.2316418822 * Math.abs(x))) *
                          (-1.453152027 + (1 / (1 + 0.2316418822 * Math.abs(x))) * 1.061405429))))))),
  tfjs: (tf, x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
  opsPerElement: 16,
};

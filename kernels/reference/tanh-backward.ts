// Float64 reference tanh backward (BP only), from the forward OUTPUT y: dx = dy * (1 - y^2).
import { validate } from './validate.js';

export function tanhBackward(dy: Float64Array, y: Float64Array): Float64Array {
  validate('tanhBackward', 'y', y, y.length, 'any');
  validate('tanhBackward', 'dy', dy, y.length, 'same length as y');
  return dy.map((g, i) => g * (1 - y[i]! * y[i]!));
}

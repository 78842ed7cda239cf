// Float64 reference ReLU backward (BP only): dx = dy where the forward input x > 0, else 0.
import { validate } from './validate.js';

export function reluBackward(dy: Float64Array, x: Float64Array): Float64Array {
  validate('reluBackward', 'x', x, x.length, 'any');
  validate('reluBackward', 'dy', dy, x.length, 'same length as x');
  return dy.map((g, i) => (x[i]! > 0 ? g : 0));
}

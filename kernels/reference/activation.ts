// Float64 reference activations, element-wise on any layout: every activation of the op table
// (kernels/ops/activations.ts) applied through its own entry, forward and BP backward.
import { activationOp, type ActivationName } from '../ops/activations.js';
import { validate, validateFinite } from './validate.js';

export function activation(name: ActivationName, x: Float64Array): Float64Array {
  validateFinite(name, 'x', x);
  return x.map(activationOp(name).forward);
}

/** BP: dx = dy * f'(x), from the activation's forward input x. */
export function activationBackward(name: ActivationName, dy: Float64Array, x: Float64Array): Float64Array {
  validate(`${name} backward`, 'x', x, x.length, 'any');
  validate(`${name} backward`, 'dy', dy, x.length, 'same length as x');
  const { backward } = activationOp(name);
  return dy.map((g, i) => backward(g, x[i]!));
}

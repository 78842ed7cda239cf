// Float64 reference tanh, element-wise on any layout.
import { validateFinite } from './validate.js';

export function tanh(x: Float64Array): Float64Array {
  validateFinite('tanh', 'x', x);
  return x.map(Math.tanh);
}

// Float64 reference ReLU, element-wise on any layout.
import { validateFinite } from './validate.js';

export function relu(x: Float64Array): Float64Array {
  validateFinite('relu', 'x', x);
  return x.map((v) => (v > 0 ? v : 0));
}

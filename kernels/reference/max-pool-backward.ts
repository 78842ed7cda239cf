// Float64 reference max-pool backward (BP only): each output gradient goes to its argmax input.
import { InvalidInputError } from '../../src/errors.js';
import { validate, validateDims } from './validate.js';

export function maxPoolBackward(dy: Float64Array, argmax: Int32Array, inputLength: number): Float64Array {
  validateDims('maxPoolBackward', { inputLength });
  validate('maxPoolBackward', 'dy', dy, argmax.length, 'same length as argmax');
  const dx = new Float64Array(inputLength);
  for (let o = 0; o < dy.length; o++) {
    const i = argmax[o]!;
    if (i < 0 || i >= inputLength) {
      throw new InvalidInputError(
        `maxPoolBackward: argmax[${o}] = ${i}; allowed: 0..${inputLength - 1}. Hint: argmax from a different input`,
      );
    }
    dx[i]! += dy[o]!;
  }
  return dx;
}

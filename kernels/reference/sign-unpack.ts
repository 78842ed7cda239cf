// Unpacks `length` signs packed by signPack into +1 (bit 1) / -1 (bit 0) float64 values.
import { InvalidInputError } from '../../src/errors.js';
import { validateDims } from './validate.js';

export function signUnpack(words: Uint32Array, length: number): Float64Array {
  validateDims('signUnpack', { length }, ['length']);
  if (words.length !== Math.ceil(length / 32)) {
    throw new InvalidInputError(
      `signUnpack: ${words.length} words for ${length} signs; expected ceil(${length}/32) = ${Math.ceil(length / 32)}`,
    );
  }
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = (words[i >>> 5]! >>> (i & 31)) & 1 ? 1 : -1;
  return out;
}

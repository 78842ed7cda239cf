// Packs the signs of a float buffer into bits: word i holds elements 32i..32i+31, element j in bit
// (j mod 32); bit = 1 for eps >= 0, 0 for eps < 0 (METHOD.md 3.4). Unused bits of the last word are 0.
import { validateFinite } from './validate.js';

export function signPack(eps: Float64Array | Float32Array): Uint32Array {
  validateFinite('signPack', 'eps', eps);
  const words = new Uint32Array(Math.ceil(eps.length / 32));
  for (let i = 0; i < eps.length; i++) {
    if (eps[i]! >= 0) words[i >>> 5]! |= 1 << (i & 31);
  }
  return words;
}

// Sign packing: for every length, unpack(pack(eps)) gives the signs of eps (bit 1 for eps >= 0),
// the word count is ceil(length / 32), and padding bits are zero.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { signPack, signUnpack } from '../../kernels/reference/index.js';

const floats = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { maxLength: 200 });

test.prop([floats])('signUnpack(signPack(eps)) is sign(eps) with +1 for eps >= 0, for every length', (values) => {
  const eps = Float64Array.from(values);
  const words = signPack(eps);
  expect(words.length).toBe(Math.ceil(eps.length / 32));
  expect(Array.from(signUnpack(words, eps.length))).toEqual(values.map((v) => (v >= 0 ? 1 : -1)));
});

test.prop([fc.integer({ min: 0, max: 300 })])(
  'padding bits of the last word are zero even when every sign is +1',
  (length) => {
    const words = signPack(new Float64Array(length).fill(1));
    const used = length % 32;
    if (used !== 0) expect(words[words.length - 1]! >>> used).toBe(0);
    expect(words.reduce((s, w) => s + (w.toString(2).match(/1/g)?.length ?? 0), 0)).toBe(length);
  },
);

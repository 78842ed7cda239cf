// The runtime's fused LR-fold reduction (host-ops errorCopySum) against the two reference steps it
// replaces, errorSignal then copySum, and signErrorSignal against errorSignal of the unpacked signs:
// bit-identical for float64 and float32 noise and for packed sign bits, with uniform and per-channel sigma, dense
// (spatial 1) and conv-like (spatial > 1) layouts.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { copySum, errorSignal, signPack, signUnpack } from '../../kernels/reference/index.js';
import { errorCopySum, signErrorSignal } from '../../src/train/runtime/host-ops.js';

const value = fc.double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 });
const shape = fc.record({
  samples: fc.integer({ min: 1, max: 4 }),
  copies: fc.integer({ min: 1, max: 5 }),
  channels: fc.integer({ min: 1, max: 6 }),
  spatial: fc.integer({ min: 1, max: 7 }),
  uniform: fc.boolean(),
  scale: fc.constantFrom(1, Math.sqrt(Math.PI / 2)),
  seed: fc.integer({ min: 0, max: 1000 }),
});

function draw(n: number, seed: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 7.31 + i * 1.7) * 3);
}

test.prop([shape, value])(
  'errorCopySum equals copySum(errorSignal(...)) bit for bit, for eps and for sign bits',
  (s, sigmaBase) => {
    const rows = s.samples * s.copies;
    const dims = { rows, channels: s.channels, spatial: s.spatial };
    const loss = draw(rows, s.seed);
    const eps = draw(rows * s.channels * s.spatial, s.seed + 1);
    const sigma = Float64Array.from(
      { length: s.channels },
      (_, c) => Math.abs(sigmaBase) + 0.01 + (s.uniform ? 0 : c * 0.37),
    );
    const viaReference = (noise: Float64Array): Float64Array =>
      copySum(errorSignal(loss, noise, sigma, dims, s.scale), s.samples, s.copies);
    expect(Array.from(errorCopySum(loss, eps, sigma, dims, s.copies, s.scale))).toEqual(Array.from(viaReference(eps)));
    // float32 eps (the CPU backends' LR noise) takes its own typed loop.
    const eps32 = Float32Array.from(eps);
    expect(Array.from(errorCopySum(loss, eps32, sigma, dims, s.copies, s.scale))).toEqual(
      Array.from(viaReference(Float64Array.from(eps32))),
    );
    const bits = signPack(eps);
    expect(Array.from(errorCopySum(loss, bits, sigma, dims, s.copies, s.scale))).toEqual(
      Array.from(viaReference(signUnpack(bits, eps.length))),
    );
  },
);

test('a sign flip in one packed bit changes exactly that sample and unit (the bit order is the sign-pack order)', () => {
  const dims = { rows: 6, channels: 3, spatial: 2 };
  const loss = draw(6, 1);
  const eps = draw(36, 2);
  const sigma = new Float64Array(3).fill(0.5);
  const bits = signPack(eps);
  const flipped = bits.slice();
  flipped[0]! ^= 1 << 20;
  const a = errorCopySum(loss, bits, sigma, dims, 3, 1);
  const b = errorCopySum(loss, flipped, sigma, dims, 3, 1);
  // element 20 is row 3 (sample 1 of 2, with 3 copies each), unit 2 -> output index 1 * 6 + 2.
  expect(Array.from(a, (v, i) => v !== b[i])).toEqual(Array.from({ length: 12 }, (_, i) => i === 8));
});

test('rows of whole sign words (32 and 64 units, read a word at a time) equal the reference steps bit for bit', () => {
  for (const [channels, spatial, uniform] of [
    [8, 4, true],
    [8, 4, false],
    [64, 1, true],
    [64, 1, false],
  ] as const) {
    const dims = { rows: 6, channels, spatial };
    const loss = draw(6, 3);
    const eps = draw(6 * channels * spatial, 4);
    const sigma = Float64Array.from({ length: channels }, (_, c) => 0.5 + (uniform ? 0 : c * 0.1));
    const bits = signPack(eps);
    const want = copySum(errorSignal(loss, signUnpack(bits, eps.length), sigma, dims, 1.25), 2, 3);
    expect(Array.from(errorCopySum(loss, bits, sigma, dims, 3, 1.25))).toEqual(Array.from(want));
    // A wrong bit order inside a word (reversed) must show.
    const reversed = bits.map((w) => Number.parseInt(w.toString(2).padStart(32, '0').split('').reverse().join(''), 2));
    expect(Array.from(errorCopySum(loss, reversed, sigma, dims, 3, 1.25))).not.toEqual(Array.from(want));
  }
});

test.prop([shape, value])('signErrorSignal equals errorSignal of the unpacked signs bit for bit', (s, sigmaBase) => {
  const rows = s.samples * s.copies;
  const dims = { rows, channels: s.channels, spatial: s.spatial };
  const loss = draw(rows, s.seed);
  const eps = draw(rows * s.channels * s.spatial, s.seed + 1);
  const sigma = Float64Array.from(
    { length: s.channels },
    (_, c) => Math.abs(sigmaBase) + 0.01 + (s.uniform ? 0 : c * 0.37),
  );
  const bits = signPack(eps);
  const want = errorSignal(loss, signUnpack(bits, eps.length), sigma, dims, s.scale);
  expect(Array.from(signErrorSignal(loss, bits, sigma, dims, s.scale))).toEqual(Array.from(want));
  // A kept array (here full of NaN) is written over completely and returned; one of another length is not used.
  const kept = new Float64Array(eps.length).fill(NaN);
  expect(signErrorSignal(loss, bits, sigma, dims, s.scale, kept)).toBe(kept);
  expect(Array.from(kept)).toEqual(Array.from(want));
  const short = new Float64Array(eps.length - 1);
  expect(signErrorSignal(loss, bits, sigma, dims, s.scale, short)).not.toBe(short);
  // A flipped first bit must show (the bit order is the sign-pack order).
  const flipped = bits.slice();
  flipped[0]! ^= 1;
  expect(Array.from(signErrorSignal(loss, flipped, sigma, dims, s.scale))).not.toEqual(Array.from(want));
});

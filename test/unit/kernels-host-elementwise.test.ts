// The host element-wise kernels of the tfjs-wasm backend (kernels/host-elementwise.ts): branch-free
// sign packing equals the reference packing bit for bit for float32 and float64 input at every
// length around a word boundary (zeros, negative zero and bit 31 included); the SGD update follows
// names.ts's formula. (The registry-level parity suite covers them again through tfjs-wasm.)
import { expect, test } from 'vitest';
import { hostSgdUpdate, hostSignPack } from '../../kernels/host-elementwise.js';
import { signPack } from '../../kernels/reference/sign-pack.js';

test('sign packing equals the reference at lengths 0..70 for float32 and float64', () => {
  for (let n = 0; n <= 70; n++) {
    const wide = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : Math.sin(i * 1.7)));
    const narrow = Float32Array.from(wide);
    const want = Array.from(signPack(wide));
    expect(Array.from(hostSignPack(wide)), `float64 n=${n}`).toEqual(want);
    expect(Array.from(hostSignPack(narrow)), `float32 n=${n}`).toEqual(want);
  }
});

test('bit 31 of a word of non-negative values is set (the word is 2^32 - 1, not -1)', () => {
  expect(Array.from(hostSignPack(new Float64Array(32).fill(1)))).toEqual([2 ** 32 - 1]);
  expect(Array.from(hostSignPack(Float32Array.from({ length: 33 }, (_, i) => (i === 31 ? 1 : -1))))).toEqual([
    2 ** 31,
    0,
  ]);
});

test('SGD: v = momentum v + g, w = w - lr v, in float32', () => {
  const w = Float64Array.of(1, -2, 0.5);
  const g = Float64Array.of(0.1, 0.2, -0.3);
  const v = Float64Array.of(0, 1, -1);
  const out = hostSgdUpdate({ w, g, v, lr: 0.5, momentum: 0.9 });
  const v1 = [0.1, 1.1, -1.2];
  expect(Array.from(out.v)).toEqual(v1.map(Math.fround));
  expect(Array.from(out.w)).toEqual([1 - 0.05, -2 - 0.55, 0.5 + 0.6].map(Math.fround));
});

// The counter-based RNG: draws are pure functions of (seed, step, layer, row, unit), independent of
// generation order and batching; antithetic pairs are exact negatives; the algorithm documented in
// rng.ts's header (rng v2), re-implemented here with every operation rounded to float32 (as a WebGL1
// gpu.js kernel would run it), gives bit-identical 24-bit states; the two units of a pair share them.
import { expect, test } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { normalAt, sampleNoise, uniformPair } from '../../kernels/rng.js';

const f = Math.fround;
const mod = (a: number, m: number): number => f(a - f(Math.floor(f(a / m)) * m));

/** The header's algorithm, written from the comment, with float32 rounding after every operation (words end with the unit). */
function float32Uniforms(words: number[]): [number, number] {
  const round = ([hi, lo]: [number, number]): [number, number] => {
    const p = f(lo * 2533);
    const lo1 = mod(p, 4096);
    const c = f(Math.floor(f(p / 4096)));
    const hi1 = mod(f(f(mod(f(hi * 2533), 4096) + mod(f(lo * 1443), 4096)) + c), 4096);
    const t = f(lo1 + 2845);
    const lo2 = mod(t, 4096);
    const hi2 = mod(f(f(hi1 + 967) + f(Math.floor(f(t / 4096)))), 4096);
    const lo3 = mod(f(lo2 + f(Math.floor(f(f(hi2 * hi2) / 4096)))), 4096);
    return [lo3, hi2];
  };
  const absorb = ([hi, lo]: [number, number], w: number): [number, number] =>
    round(round([mod(f(hi + f(Math.floor(f(w / 4096)))), 4096), mod(f(lo + mod(w, 4096)), 4096)]));
  let s: [number, number] = [1696, 2534];
  const unit = words[words.length - 1]!;
  for (const w of [...words.slice(0, -1), Math.floor(f(unit / 2))]) s = absorb(s, w);
  const s1 = round(round(s));
  const s2 = round(round(round(s1)));
  return [s1[0] * 4096 + s1[1], s2[0] * 4096 + s2[1]];
}

test('float32 re-implementation of the documented algorithm gives identical 24-bit states', () => {
  const big = 2 ** 24 - 1;
  const counters = [
    [0, 0, 0, 0, 0],
    [1, 2, 3, 4, 5],
    [big, big, big, big, big],
    [123456, 7, 2, 99999, 4095],
    [4096, 4097, 8191, 65536, 1 << 20],
    ...Array.from({ length: 200 }, (_, i) => [(i * 2654435) % big, i, i % 7, i * 31, (i * 97) % 5000]),
  ];
  for (const [seed, step, layer, row, unit] of counters as [number, number, number, number, number][]) {
    const [u1, u2] = uniformPair({ seed, step, layer, row, unit });
    const [s1, s2] = float32Uniforms([seed, step, layer, row, unit]);
    expect([Math.round(u1 * 2 ** 24 - 0.5), Math.round(u2 * 2 ** 24 - 0.5)]).toEqual([s1, s2]);
  }
});

test('the units of a pair share their uniforms and take the cosine and sine branches of one radius', () => {
  for (const [row, pair] of [
    [0, 0],
    [7, 2048],
    [2 ** 24 - 1, 2 ** 23 - 2],
  ] as const) {
    const c = { seed: 5, step: 3, layer: 1, row, unit: 2 * pair };
    const [u1, u2] = uniformPair(c);
    expect(uniformPair({ ...c, unit: 2 * pair + 1 })).toEqual([u1, u2]);
    expect(uniformPair({ ...c, unit: 2 * pair + 2 })).not.toEqual([u1, u2]);
    const radius = Math.sqrt(-2 * Math.log(u1));
    expect(normalAt(c)).toBeCloseTo(radius * Math.cos(2 * Math.PI * u2), 13);
    expect(normalAt({ ...c, unit: 2 * pair + 1 })).toBeCloseTo(radius * Math.sin(2 * Math.PI * u2), 13);
  }
});

test('sampleNoise equals normalAt element by element, whatever the block split', () => {
  const whole = sampleNoise({ seed: 3, step: 9, layer: 2, samples: 4, copies: 3, units: 5 });
  const tail = sampleNoise({ seed: 3, step: 9, layer: 2, samples: 2, copies: 3, units: 5, rowOffset: 6 });
  expect(Array.from(tail)).toEqual(Array.from(whole.subarray(30)));
  expect(whole[7 * 5 + 4]).toBe(normalAt({ seed: 3, step: 9, layer: 2, row: 7, unit: 4 }));
  expect(normalAt({ seed: 3, step: 9, layer: 2, row: 7, unit: 4 })).not.toBe(
    normalAt({ seed: 4, step: 9, layer: 2, row: 7, unit: 4 }),
  );
});

test('antithetic copies are exact negatives of their partner, for i.i.d. and QMC draws', () => {
  for (const qmc of [false, true]) {
    const eps = sampleNoise({ seed: 1, step: 0, layer: 0, samples: 2, copies: 4, units: 3, antithetic: true, qmc });
    for (let row = 1; row < 8; row += 2)
      for (let i = 0; i < 3; i++) expect(eps[row * 3 + i]).toBe(-eps[(row - 1) * 3 + i]!);
  }
});

test('bad counters and copy counts raise InvalidInputError naming the value', () => {
  expect(() => normalAt({ seed: -1, step: 0, layer: 0, row: 0, unit: 0 })).toThrow(/seed = -1/);
  expect(() => normalAt({ seed: 2 ** 24, step: 0, layer: 0, row: 0, unit: 0 })).toThrow(InvalidInputError);
  expect(() => sampleNoise({ seed: 0, step: 0, layer: 0, samples: 1, copies: 0, units: 1 })).toThrow(/copies K = 0/);
  expect(() => sampleNoise({ seed: 0, step: 0, layer: 0, samples: 1, copies: 3, units: 1, antithetic: true })).toThrow(
    /even/,
  );
});

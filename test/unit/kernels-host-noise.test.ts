// The host block generator (rng.ts fillNormals) and the host noise-inject of the CPU backends
// (kernels/host-noise.ts, wasm SIMD hash in kernels/rng-simd.ts): bit-identical to normalAt draw by
// draw, including counters next to 2^24 and unit counts that are not multiples of the 4 SIMD lanes,
// and out-of-range blocks are refused once per block with the counter named.
import { expect, test } from 'vitest';
import { hostNoiseInject, hostNoiseInjectSigns } from '../../kernels/host-noise.js';
import { signPack } from '../../kernels/reference/sign-pack.js';
import { referenceNoise } from '../../kernels/registry-reference.js';
import { rngSimd } from '../../kernels/rng-simd.js';
import { InvalidInputError } from '../../src/errors.js';
import { fillNormals, normalAt } from '../../kernels/rng.js';

const TOP = 2 ** 24 - 1;

test('fillNormals equals normalAt bit for bit, at small and near-2^24 counters', () => {
  for (const b of [
    { seed: 0, step: 0, layer: 0, rowOffset: 0, rows: 3, units: 7 },
    { seed: TOP, step: TOP, layer: 63, rowOffset: TOP - 2, rows: 3, units: 5 },
    { seed: 123457, step: 9, layer: 2, rowOffset: 4095, rows: 2, units: 4100 },
  ]) {
    const out = new Float64Array(b.rows * b.units);
    fillNormals(out, b);
    for (let r = 0; r < b.rows; r++) {
      for (let u = 0; u < b.units; u++)
        expect(out[r * b.units + u]).toBe(
          normalAt({ seed: b.seed, step: b.step, layer: b.layer, row: b.rowOffset + r, unit: u }),
        );
    }
  }
});

test('a float32 block holds the float64 draws rounded once', () => {
  const b = { seed: 7, step: 1, layer: 1, rowOffset: 10, rows: 4, units: 9 };
  const wide = new Float64Array(36);
  const narrow = new Float32Array(36);
  fillNormals(wide, b);
  fillNormals(narrow, b);
  expect(Array.from(narrow)).toEqual(Array.from(wide, Math.fround));
});

test('Node 20 runs the wasm SIMD hash (the fast path is not silently skipped)', () => {
  expect(rngSimd()).not.toBeNull();
});

test('the SIMD and scalar host paths give the same float32 values', () => {
  for (const [rows, channels, spatial] of [
    [1, 1, 1],
    [2, 3, 1],
    [3, 5, 7],
    [2, 257, 1],
  ] as const) {
    const z = Float64Array.from({ length: rows * channels * spatial }, (_, i) => Math.sin(i));
    const args = {
      z,
      sigma: new Float64Array(channels).fill(0.3),
      rows,
      channels,
      spatial,
      seed: TOP,
      step: 8,
      layer: 1,
      rowOffset: TOP - rows,
    };
    expect(Array.from(hostNoiseInject(args, true))).toEqual(Array.from(hostNoiseInject(args, false)));
  }
});

test('hostNoiseInject forms z + sigma[c] eps with the draw of (row, c * spatial + s)', () => {
  const [rows, channels, spatial] = [3, 2, 5];
  const z = Float32Array.from({ length: rows * channels * spatial }, (_, i) => i / 7 - 2);
  const sigma = Float32Array.of(0.5, 2);
  const counter = { seed: 99, step: 4, layer: 3, rowOffset: 100 };
  const out = hostNoiseInject({ z, sigma, rows, channels, spatial, ...counter });
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      for (let s = 0; s < spatial; s++) {
        const i = (r * channels + c) * spatial + s;
        const eps = normalAt({ seed: 99, step: 4, layer: 3, row: 100 + r, unit: c * spatial + s });
        expect(out[i]).toBe(Math.fround(z[i]! + sigma[c]! * eps));
      }
    }
  }
});

test('a block whose last row or unit passes 2^24 is refused, naming the counter', () => {
  const out = new Float64Array(4);
  expect(() => fillNormals(out, { seed: 1, step: 1, layer: 1, rowOffset: TOP, rows: 2, units: 2 })).toThrow(
    InvalidInputError,
  );
  expect(() => fillNormals(out, { seed: 1, step: 1, layer: 1, rowOffset: TOP, rows: 2, units: 2 })).toThrow(
    /row = 16777216/,
  );
  expect(() => fillNormals(out, { seed: 2 ** 24, step: 1, layer: 1, rowOffset: 0, rows: 1, units: 1 })).toThrow(
    /seed = 16777216/,
  );
  expect(() =>
    fillNormals(new Float64Array(3), { seed: 1, step: 1, layer: 1, rowOffset: 0, rows: 2, units: 2 }),
  ).toThrow(/expected at least rows x units = 4/);
});

test('hostNoiseInjectSigns packs exactly the signs of the reference eps, on both paths, across word and row boundaries', () => {
  // Rows of a multiple of 32 units take the fused one-pass path on SIMD (whole words per row).
  for (const [rows, channels, spatial] of [
    [1, 1, 1],
    [3, 5, 7],
    [4, 33, 1],
    [3, 8, 4],
    [2, 64, 1],
  ] as const) {
    const args = {
      z: new Float32Array(rows * channels * spatial).fill(1),
      sigma: new Float32Array(channels).fill(0.5),
      rows,
      channels,
      spatial,
      seed: 5,
      step: 6,
      layer: 2,
      rowOffset: 40,
    };
    const want = Array.from(signPack(referenceNoise(args)));
    for (const simd of [true, false]) {
      const got = hostNoiseInjectSigns(args, simd);
      expect(Array.from(got.signs)).toEqual(want);
      expect(Array.from(got.out)).toEqual(Array.from(hostNoiseInject(args, simd)));
    }
  }
});

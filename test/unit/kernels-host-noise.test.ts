// The host block generator (rng.ts fillNormals) and the host noise-inject of the CPU backends
// (kernels/host-noise.ts, wasm SIMD hash in kernels/rng-simd.ts): bit-identical to normalAt draw by
// draw, including counters next to 2^24 and unit counts that are not multiples of the 4 SIMD lanes,
// and out-of-range blocks are refused once per block with the counter named.
import { expect, test } from 'vitest';
import { hostNoiseInject, hostNoiseInjectSigns, injectRows } from '../../kernels/host-noise.js';
import { noiseWasm, wasmInjectRows, wasmNormals } from '../../kernels/noise-wasm.js';
import { signPack } from '../../kernels/reference/sign-pack.js';
import { referenceNoise } from '../../kernels/registry-reference.js';
import { rngSimd } from '../../kernels/rng-simd.js';
import { InvalidInputError } from '../../src/errors.js';
import { fillNormals, normalAt, normalFromStates, rowHashState } from '../../kernels/rng.js';

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

test('the wasm noise-inject equals the scalar path bit for bit: float32 and float64 z, several chunks, row ranges, signs', () => {
  // 70 rows of 320 units are two wasm calls (51 rows fit a 16384-value chunk); 3 rows of 4100 units one row each.
  for (const [rows, channels, spatial] of [
    [70, 10, 32],
    [3, 4100, 1],
    [5, 3, 64],
  ] as const) {
    const n = rows * channels * spatial;
    for (const z of [
      Float32Array.from({ length: n }, (_, i) => Math.cos(i) * 3),
      Float64Array.from({ length: n }, (_, i) => Math.sin(i) / 3),
    ]) {
      const sigma = Float64Array.from({ length: channels }, (_, c) => 0.1 + c / 7);
      const args = { z, sigma, rows, channels, spatial, seed: 11, step: TOP, layer: 5, rowOffset: 123 };
      expect(noiseWasm()).not.toBeNull();
      const scalar = hostNoiseInjectSigns(args, false);
      expect(Array.from(hostNoiseInject(args, true))).toEqual(Array.from(scalar.out));
      const fused = hostNoiseInjectSigns(args, true);
      expect(Array.from(fused.out)).toEqual(Array.from(scalar.out));
      expect(Array.from(fused.signs)).toEqual(Array.from(scalar.signs));
      // A row range into the whole call's arrays (the worker pool's split) fills just those rows.
      const [r0, r1] = [1, rows - 1];
      const part = new Float32Array(n);
      injectRows(args, r0, r1, part, null);
      const units = channels * spatial;
      expect(Array.from(part.subarray(r0 * units, r1 * units))).toEqual(
        Array.from(scalar.out.subarray(r0 * units, r1 * units)),
      );
      expect(part[0]).toBe(0);
    }
  }
});

test('the wasm rows read z row floor(r / copies): equal to a K-times repeated z', () => {
  const [zRows, copies, units] = [5, 4, 96];
  const z = Float32Array.from({ length: zRows * units }, (_, i) => i / 9 - 20);
  const repeated = new Float32Array(zRows * copies * units);
  for (let r = 0; r < zRows * copies; r++)
    repeated.set(z.subarray(Math.floor(r / copies) * units, (Math.floor(r / copies) + 1) * units), r * units);
  const counters = { seed: 3, step: 2, layer: 1, rowOffset: 0 };
  const sigma = new Float64Array(units).fill(0.7);
  const want = hostNoiseInjectSigns(
    { z: repeated, sigma, rows: zRows * copies, channels: units, spatial: 1, ...counters },
    false,
  );
  const rowState = (r: number): number => rowHashState(3, 2, 1, r);
  for (const [r0, r1] of [
    [0, zRows * copies],
    [6, 17],
  ] as const) {
    const out = new Float32Array(zRows * copies * units);
    const signs = new Uint32Array(out.length / 32);
    wasmInjectRows(noiseWasm()!, { units, z, copies, sigma, rowState }, r0, r1, out, signs);
    const [a, b] = [r0 * units, r1 * units];
    expect(Array.from(out.subarray(a, b))).toEqual(Array.from(want.out.subarray(a, b)));
    expect(Array.from(signs.subarray(a / 32, b / 32))).toEqual(Array.from(want.signs.subarray(a / 32, b / 32)));
  }
});

test('the wasm Box-Muller equals normalFromStates in float64 bit for bit over every 24-bit state of each uniform, both branches', () => {
  const n = 2 ** 24;
  const s1 = Int32Array.from({ length: n }, (_, i) => i);
  // s2 runs over every state too, in an order unrelated to s1 (an odd multiplier is a bijection mod 2^24).
  const s2 = Int32Array.from({ length: n }, (_, i) => Math.imul(i, 0x9e3779) & 0xffffff);
  const got = wasmNormals(noiseWasm()!, s1, s2);
  let mismatches = 0;
  for (let i = 0; i < n; i++) {
    if (got[2 * i] !== normalFromStates(s1[i]!, s2[i]!, 0)) mismatches++;
    if (got[2 * i + 1] !== normalFromStates(s1[i]!, s2[i]!, 1)) mismatches++;
  }
  expect(mismatches).toBe(0);
});

// noise-inject on the host CPU for the CPU backends (tfjs-wasm, gpu.js webasm and cpu): eps is
// rng.ts's draw for (seed, step, layer, row, unit) bit for bit, and out = z + sigma[c] * eps is
// formed row by row, rounded once to float32; the signs of eps can be packed in the same pass
// (noise-inject-signs, ALR's fused NoiseInject+SignPack). Where the engine has wasm SIMD, whole rows run
// inside one WebAssembly module (noise-wasm.ts: the SIMD hash of rng-simd.ts, Box-Muller with the same
// float64 operations and tables as box-muller.ts, the add, the float32 rounding and the sign words):
// 10^6 draws with signs in 5.5 ms of CPU (rng v2, pairs in f64x2; 14 ms with v1's hash, 20 for the JS pass before the
// module; one thread, same machine, bench/RESULTS.md). Rows of a signed call whose length is not a multiple of 32 take the SIMD hash with
// Box-Muller in JS; without wasm SIMD, rng.ts's scalar block generator.
// Rows are independent, so `injectRows` computes any row range into caller-owned arrays (the tfjs-wasm worker pool splits a call by rows with it).
// GPU backends generate eps inside their kernels instead (gpujs/noise-inject.ts); this file is not used there.
import { boxMullerRadius, cosUniform, sinUniform } from './box-muller.js';
import { checkNoiseBlock, fillNormals, rowHashState } from './rng.js';
import type { NoiseInjectArgs } from './names.js';
import { rngSimd } from './rng-simd.js';
import { noiseWasm, wasmInjectRows } from './noise-wasm.js';

// One float64 row of eps, reused: a training step asks for ~10^6 draws per layer, and a per-row
// buffer stays in cache between the generator pass and the add (and sign) pass.
let rowScratch = new Float64Array(0);

function rowEps(units: number): Float64Array {
  if (rowScratch.length < units) rowScratch = new Float64Array(units);
  return rowScratch.subarray(0, units);
}

/** out[r, c, s] = z[r, c, s] + sigma[c] * eps(seed, step, layer, rowOffset + r, c * spatial + s), as float32. */
export function hostNoiseInject(a: NoiseInjectArgs, useSimd = true): Float32Array {
  checkRows(a);
  const { out } = noiseOutputs(a, false);
  injectRows(a, 0, a.rows, out, null, useSimd);
  return out;
}

/** hostNoiseInject, plus the signs of eps packed like sign-pack (bit i of word j: eps[32j + i] >= 0). */
export function hostNoiseInjectSigns(a: NoiseInjectArgs, useSimd = true): { out: Float32Array; signs: Uint32Array } {
  checkRows(a);
  const { out, signs } = noiseOutputs(a, true);
  injectRows(a, 0, a.rows, out, signs, useSimd);
  return { out, signs: signs! };
}

/**
 * The arrays a call writes: the caller's `reuse` arrays where their lengths fit (sign words cleared:
 * the pass ORs bits into them), else fresh ones.
 */
export function noiseOutputs(a: NoiseInjectArgs, withSigns: boolean): { out: Float32Array; signs: Uint32Array | null } {
  const n = a.rows * a.channels * a.spatial;
  const words = Math.ceil(n / 32);
  const r = a.reuse;
  const out = r?.out.length === n ? r.out : new Float32Array(n);
  if (!withSigns) return { out, signs: null };
  const signs = r?.signs?.length === words ? r.signs.fill(0) : new Uint32Array(words);
  return { out, signs };
}

/** The RNG counter checks of a whole call (the worker pool runs them once, before splitting). */
export function checkRows(a: NoiseInjectArgs): void {
  const units = a.channels * a.spatial;
  checkNoiseBlock(
    { seed: a.seed, step: a.step, layer: a.layer, rowOffset: a.rowOffset, rows: a.rows, units },
    a.rows * units,
  );
}

/**
 * Rows [r0, r1) of the call `a` into `out` (and, when given, `signs`), both indexed as for the whole
 * call. Sign bits are OR-ed into words that must start at 0; a row range whose first element is not
 * at a word boundary shares that word with the range before it (the pool splits at whole words).
 */
export function injectRows(
  a: NoiseInjectArgs,
  r0: number,
  r1: number,
  out: Float32Array,
  signs: Uint32Array | null,
  useSimd = true,
): void {
  const units = a.channels * a.spatial;
  const simd = useSimd ? rngSimd() : null;
  const module = useSimd ? noiseWasm() : null;
  // The fused pass packs whole words: every row must start on a word boundary of the call.
  if (module !== null && r1 > r0 && (signs === null || units % 32 === 0)) {
    const rows = { units, z: a.z, copies: a.copies ?? 1, sigma: unitSigma(a.sigma, a.channels, a.spatial) };
    const rowState = (r: number): number => rowHashState(a.seed, a.step, a.layer, a.rowOffset + r);
    wasmInjectRows(module, { ...rows, rowState }, r0, r1, out, signs);
    return;
  }
  const eps = rowEps(units);
  for (let r = r0; r < r1; r++) {
    const row = a.rowOffset + r;
    if (simd === null) {
      fillNormals(eps, { seed: a.seed, step: a.step, layer: a.layer, rowOffset: row, rows: 1, units });
    } else {
      const { s1, s2 } = simd.row(rowHashState(a.seed, a.step, a.layer, row), units);
      pairNormals(s1, s2, eps);
    }
    const zBase = Math.floor(r / (a.copies ?? 1)) * units;
    if (a.z instanceof Float32Array) addRow(a.z, zBase, a.sigma, a.channels, a.spatial, eps, r * units, out);
    else addRow(a.z, zBase, a.sigma, a.channels, a.spatial, eps, r * units, out);
    if (signs !== null) packRow(eps, units, r * units, signs);
  }
}

/** eps[2q] and eps[2q + 1] from pair q's uniform states: the cosine and sine branches of one radius (rng.ts's header). */
function pairNormals(s1: Int32Array, s2: Int32Array, eps: Float64Array): void {
  const units = eps.length;
  for (let u = 0, q = 0; u < units; u += 2, q++) {
    const radius = boxMullerRadius(s1[q]!);
    eps[u] = radius * cosUniform(s2[q]!);
    if (u + 1 < units) eps[u + 1] = radius * sinUniform(s2[q]!);
  }
}

// sigma[c] spread over each channel's spatial positions, reused across calls of one shape.
let sigmaScratch = new Float64Array(0);

function unitSigma(sigma: ArrayLike<number>, channels: number, spatial: number): Float64Array {
  if (sigmaScratch.length < channels * spatial) sigmaScratch = new Float64Array(channels * spatial);
  for (let c = 0, u = 0; c < channels; c++) sigmaScratch.fill(sigma[c]!, u, (u += spatial));
  return sigmaScratch;
}

/**
 * out[base + u] = z[zBase + u] + sigma[c] * eps[u] over one row. Called with one array type per call
 * site (Float32Array or Float64Array), so each site stays monomorphic: a loop that sees both types
 * through one NumArray parameter runs several times slower.
 */
function addRow(
  z: ArrayLike<number>,
  zBase: number,
  sigma: ArrayLike<number>,
  channels: number,
  spatial: number,
  eps: Float64Array,
  base: number,
  out: Float32Array,
): void {
  for (let c = 0, u = 0; c < channels; c++) {
    const sc = sigma[c]!;
    for (let end = u + spatial; u < end; u++) out[base + u] = z[zBase + u]! + sc * eps[u]!;
  }
}

/** Signs of one row, OR-ed 32 to a word from element `base` on (a word the row shares with the row before keeps its bits). */
function packRow(eps: Float64Array, units: number, base: number, signs: Uint32Array): void {
  let word = 0;
  let i = base;
  for (let u = 0; u < units; u++, i++) {
    word |= +(eps[u]! >= 0) << (i & 31);
    if ((i & 31) === 31) {
      signs[i >>> 5]! |= word;
      word = 0;
    }
  }
  if ((i & 31) !== 0) signs[(i - 1) >>> 5]! |= word;
}

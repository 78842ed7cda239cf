// Counter-based Gaussian generator: the standard normal draw for (seed, step, layer, row, unit) is a
// pure function of those five integers, so any execution order, any worker split and a gpu.js kernel
// give the same value. Not a cryptographic generator; not a stream generator (there is no state).
//
// ALGORITHM, rng v2 (normative: reimplement exactly this, e.g. inside a gpu.js kernel)
// Every intermediate value is an integer below 2^24, so float32 arithmetic (WebGL1-style backends)
// computes it exactly. The state is a 24-bit number held as two 12-bit limbs (hi, lo), each in [0, 4096).
// Notation: mod(a, m) = a - floor(a / m) * m (exact in float32 for a < 2^24 and m = 4096).
//  round(hi, lo):                                         -- one bijective mixing round on the 24-bit state
//    1. multiply by M = 0x5A3 * 4096 + 0x9E5 (odd) mod 2^24, with MH = 0x5A3 = 1443, ML = 0x9E5 = 2533:
//         p   = lo * ML                                   (< 2^24)
//         lo1 = mod(p, 4096);  c = floor(p / 4096)
//         hi1 = mod(mod(hi * ML, 4096) + mod(lo * MH, 4096) + c, 4096)
//    2. add the constant A = 0x3C7 * 4096 + 0xB1D (hi 967, lo 2845) mod 2^24:
//         t = lo1 + 2845;  lo2 = mod(t, 4096);  hi2 = mod(hi1 + 967 + floor(t / 4096), 4096)
//    3. Feistel step (nonlinear): lo3 = mod(lo2 + floor(hi2 * hi2 / 4096), 4096)
//    4. swap limbs: return (hi = lo3, lo = hi2)
//  absorb(hi, lo, w), w an integer in [0, 2^24):          -- mixes one input word into the state
//    hi = mod(hi + floor(w / 4096), 4096);  lo = mod(lo + mod(w, 4096), 4096);  then round twice.
//  state: start at (hi, lo) = (0x6A0, 0x9E6) = (1696, 2534); absorb seed, step, layer, row and the
//    pair index q = floor(unit / 2) in that order: units 2q and 2q + 1 share one pair state.
//  uniforms of the pair: s1 = the pair state after 2 more rounds, s2 = s1 after 3 more rounds (7 rounds
//    per pair); u_j = (s_j.hi * 4096 + s_j.lo + 0.5) / 2^24, which lies in (0, 1) (never 0 or 1), with
//    24-bit resolution.
//  normal of unit 2q = sqrt(-2 ln u1) * cos(2 pi u2), of unit 2q + 1 = sqrt(-2 ln u1) * sin(2 pi u2)
//    (Box-Muller, both branches: one log and one square root per two draws).
// Why these round counts (R = round; chi-square of a 64x64 to 1024x1024 grid over all 2^24 states x):
// the points (x, R^3(x)) and (R^4(x), R^4(x + 1 in the low limb)) fill the grid as a random bijection's
// do (within 4 standard deviations), while R^2 in either place is 20 (u2 after u1) and 2160
// (neighbouring pairs, whose absorbed words differ by 1) standard deviations away. So u2 follows u1 by
// 3 rounds and each uniform is at least 4 rounds from the pair word.
// rng v1 (until this version): one pair per unit, u_j = 3 rounds after absorbing the tag j into the
// unit's state, cosine branch only (12 rounds and a log, a square root and a cosine per draw).
// Inputs must be integers in [0, 2^24); seed, step, layer, row and unit are validated.
//
// Also here: Gaussian sampling of whole buffers, antithetic pairs, and an optional quasi-Monte Carlo
// mode (randomly shifted rank-1 lattice over copies, mapped through the inverse normal CDF).
import { InvalidInputError } from '../src/errors.js';
import { inverseNormalCdf } from './inverse-normal-cdf.js';
import { boxMullerRadius, cosUniform, normalFromStates, sinUniform } from './box-muller.js';

export { normalFromStates };

/**
 * The version of the header's algorithm (rng v2). A training checkpoint records it, so a run resumed
 * under another generator is told that its later steps draw different noise (src/train/noise-version.ts).
 * Raise it with any change to the bits the generator draws.
 */
export const NOISE_GENERATOR_VERSION = 2;

const LIMB = 4096;
const TWO_24 = 16777216;
const MASK_24 = 0xffffff;
/** M = MH * 4096 + ML and A = AH * 4096 + AL of the header, as whole 24-bit numbers. */
const M = 1443 * LIMB + 2533;
const A = 967 * LIMB + 2845;
const START = 1696 * LIMB + 2534;

export interface NoiseCounter {
  seed: number;
  step: number;
  layer: number;
  row: number;
  unit: number;
}

function mod(a: number, m: number): number {
  return a - Math.floor(a / m) * m;
}

// The state is one int s = hi * 4096 + lo. Steps 1-2 of the header's round are the 24-bit
// multiply-add s * M + A mod 2^24: Math.imul keeps the low 32 bits of the product exactly, so
// masking to 24 bits equals the limb-wise schoolbook product of the header (the limb cross terms
// hi * MH land at 2^24 and vanish). Steps 3-4 are the Feistel step and the limb swap. Every value is
// a non-negative integer below 2^24, so `& 4095` and `>>> 12` equal mod(., 4096) and floor(. / 4096);
// a float32 port uses the mod/floor forms of the header instead. This is the hot loop of every LR
// step (millions of draws), so it is written on plain ints with no allocation.
function round(s: number): number {
  const x = (Math.imul(s, M) + A) & MASK_24;
  const hi2 = x >>> 12;
  return ((((x & 4095) + ((hi2 * hi2) >>> 12)) & 4095) << 12) | hi2;
}

/** Limb-wise add of the word (no carry between limbs, as the header says), then two rounds. */
function absorb(s: number, w: number): number {
  const hi = ((s >>> 12) + (w >>> 12)) & 4095;
  const lo = ((s & 4095) + (w & 4095)) & 4095;
  return round(round((hi << 12) | lo));
}

/** State after absorbing the words, as a 24-bit integer. */
function stateAfter(prefix: number, words: readonly number[]): number {
  let s = prefix;
  for (const w of words) s = absorb(s, w);
  return s;
}

/** s1 of a pair state (header: 2 more rounds). */
function firstState(pairState: number): number {
  return round(round(pairState));
}

/** s2 from s1 (header: 3 more rounds). */
function secondState(first: number): number {
  return round(round(round(first)));
}

/** The draw of one unit from its pair's state: the cosine branch for even units, the sine branch for odd. */
function normalFrom(pairState: number, unit: number): number {
  const s1 = firstState(pairState);
  return normalFromStates(s1, secondState(s1), unit & 1);
}

/** The counter words other than unit, for filling a block of rows x units. */
export interface NoiseBlock {
  seed: number;
  step: number;
  layer: number;
  /** Row number of the first row written. */
  rowOffset: number;
  rows: number;
  units: number;
}

/**
 * Writes normalAt({seed, step, layer, row: rowOffset + r, unit: u}) to out[r * units + u] for every
 * r < rows, u < units: the same values as normalAt, bit for bit in float64 (rounded once when `out`
 * is a Float32Array), with the (seed, step, layer) and row prefixes of the hash computed once.
 * Counters are validated once for the block, not per draw.
 */
export function fillNormals(out: Float32Array | Float64Array, b: NoiseBlock): void {
  checkNoiseBlock(b, out.length);
  if (b.rows === 0 || b.units === 0) return;
  const layerState = absorb(absorb(absorb(START, b.seed), b.step), b.layer);
  for (let r = 0; r < b.rows; r++) {
    const rowState = absorb(layerState, b.rowOffset + r);
    const base = r * b.units;
    for (let u = 0; u < b.units; u += 2) {
      const s1 = firstState(absorb(rowState, u >>> 1));
      const s2 = secondState(s1);
      const radius = boxMullerRadius(s1);
      out[base + u] = radius * cosUniform(s2);
      if (u + 1 < b.units) out[base + u + 1] = radius * sinUniform(s2);
    }
  }
}

/** Validates every counter of a block once (not per draw) and that `outLength` holds rows x units values. */
export function checkNoiseBlock(b: NoiseBlock, outLength: number): void {
  checkCounter({ seed: b.seed, step: b.step, layer: b.layer, row: b.rowOffset, unit: 0 });
  if (b.rows === 0 || b.units === 0) return;
  checkCounter({ seed: 0, step: 0, layer: 0, row: b.rowOffset + b.rows - 1, unit: b.units - 1 });
  if (outLength < b.rows * b.units)
    throw new InvalidInputError(
      `rng.fillNormals: out holds ${outLength} values; expected at least rows x units = ${b.rows * b.units}`,
    );
}

/**
 * The 24-bit state after absorbing (seed, step, layer, row): the prefix every unit of a row shares
 * (header: "absorb seed, step, layer, row, unit in that order"). For block generators that finish
 * the hash elsewhere (kernels/rng-simd.ts); the caller validates the counters (checkNoiseBlock).
 */
export function rowHashState(seed: number, step: number, layer: number, row: number): number {
  return absorb(absorb(absorb(absorb(START, seed), step), layer), row);
}

function checkCounter(c: NoiseCounter): void {
  for (const [name, v] of Object.entries(c)) {
    if (!Number.isInteger(v) || v < 0 || v >= TWO_24) {
      throw new InvalidInputError(
        `rng: ${name} = ${v}; allowed: an integer in [0, 2^24). Hint: reduce the seed modulo 2^24`,
      );
    }
  }
}

/** The 24-bit state of the pair that holds a counter's unit (header: absorb seed, step, layer, row, floor(unit / 2)). */
function pairState(c: NoiseCounter): number {
  return stateAfter(START, [c.seed, c.step, c.layer, c.row, c.unit >>> 1]);
}

/**
 * The two uniforms in (0, 1) of the pair holding a counter's unit (units 2q and 2q + 1 share them;
 * exposed for tests and for QMC shifts).
 */
export function uniformPair(c: NoiseCounter): [number, number] {
  checkCounter(c);
  const s1 = firstState(pairState(c));
  return [(s1 + 0.5) / TWO_24, (secondState(s1) + 0.5) / TWO_24];
}

/** The standard normal draw of (seed, step, layer, row, unit). */
export function normalAt(c: NoiseCounter): number {
  checkCounter(c);
  return normalFrom(pairState(c), c.unit);
}

export interface NoiseRequest {
  seed: number;
  step: number;
  layer: number;
  /** Rows are numbered sample * copies + copy, i.e. copies of one sample are adjacent. */
  samples: number;
  copies: number;
  /** Elements per row (units of the layer output, C*H*W for conv). */
  units: number;
  /** Copy 2j+1 uses minus the draw of copy 2j (copies must be even). */
  antithetic?: boolean;
  /** Randomly shifted rank-1 lattice over the copies of each sample instead of i.i.d. draws. */
  qmc?: boolean;
  /** First row number of this block (for layer-wise or sharded generation); default 0. */
  rowOffset?: number;
}

/** A [samples*copies, units] buffer of standard normal noise for one layer. */
export function sampleNoise(r: NoiseRequest): Float64Array {
  const { samples, copies, units } = r;
  if (!Number.isInteger(copies) || copies < 1)
    throw new InvalidInputError(`rng: copies K = ${copies}; allowed: an integer >= 1`);
  if (r.antithetic && copies % 2 !== 0) {
    throw new InvalidInputError(
      `rng: antithetic pairs need an even number of copies; found K = ${copies}. Hint: use K = ${copies + 1}`,
    );
  }
  const out = new Float64Array(samples * copies * units);
  const offset = r.rowOffset ?? 0;
  checkCounter({ seed: r.seed, step: r.step, layer: r.layer, row: offset + samples * copies - 1, unit: units - 1 });
  if (!r.qmc) return iidNoise(r, out, offset);
  for (let n = 0; n < samples; n++) {
    for (let k = 0; k < copies; k++) {
      const row = n * copies + k;
      for (let i = 0; i < units; i++) out[row * units + i] = drawOne(r, n, k, i, offset);
    }
  }
  return out;
}

/** The i.i.d. path: whole blocks through fillNormals; antithetic odd rows negate the row before. */
function iidNoise(r: NoiseRequest, out: Float64Array, offset: number): Float64Array {
  const { units } = r;
  const rows = r.samples * r.copies;
  const counter = { seed: r.seed, step: r.step, layer: r.layer, units };
  if (!r.antithetic) {
    fillNormals(out, { ...counter, rowOffset: offset, rows });
    return out;
  }
  for (let row = 0; row < rows; row += 2) {
    const base = row * units;
    fillNormals(out.subarray(base, base + units), { ...counter, rowOffset: offset + row, rows: 1 });
    for (let i = 0; i < units; i++) out[base + units + i] = -out[base + i]!;
  }
  return out;
}

function drawOne(r: NoiseRequest, n: number, k: number, unit: number, offset: number): number {
  const base = { seed: r.seed, step: r.step, layer: r.layer, unit };
  if (r.qmc) {
    const copies = r.antithetic ? r.copies / 2 : r.copies;
    const point = r.antithetic ? k >> 1 : k;
    const value = latticeNormal({ ...base, row: offset + n * r.copies }, point, copies);
    return r.antithetic && k % 2 === 1 ? -value : value;
  }
  return normalAt({ ...base, row: offset + n * r.copies + k });
}

/**
 * Point `point` of a randomly shifted rank-1 lattice with `points` points in dimension `unit`:
 * u = frac(point * g(unit) / points + shift), g(unit) = a^unit mod points (Korobov, a = 3),
 * shift = the counter's first uniform; then the inverse normal CDF.
 */
function latticeNormal(c: NoiseCounter, point: number, points: number): number {
  let g = 1;
  for (let i = 0; i < c.unit % Math.max(points, 1); i++) g = (g * 3) % points;
  const [shift] = uniformPair(c);
  const u = mod((point * g) / points + shift, 1);
  return inverseNormalCdf(Math.min(Math.max(u, 1e-12), 1 - 1e-12));
}

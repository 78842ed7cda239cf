// Box-Muller of the generator's two 24-bit uniform states (rng.ts's header, rng v2: the normals of a
// pair are sqrt(-2 ln u1) * cos(2 pi u2) and sqrt(-2 ln u1) * sin(2 pi u2), u = (s + 0.5) / 2^24),
// through small tables instead of Math.log, Math.cos and Math.sin: the hot loop of every LR/ALR step on the CPU backends draws millions of normals, and the
// two library calls were ~85% of a draw (hash 100 M/s, hash + Math.log/Math.cos 14 M/s, measured).
// Both are the same functions to ~1e-15 relative (checked against Math.* over all 2^24 states of
// each uniform in test/unit/box-muller.test.ts); every CPU path (reference, estimators, host
// noise, worker pool) calls this one function, so they stay bit-identical with each other. GPU
// kernels evaluate the formula in float32 themselves.
//
// cos, sin: the angle 2 pi (s + 0.5) / 2^24 splits at the 12-bit limbs, s = hi * 4096 + lo, into
// a = 2 pi hi / 4096 and b = 2 pi (lo + 0.5) / 2^24; cos(a + b) = cos a cos b - sin a sin b and
// sin(a + b) = sin a cos b + cos a sin b.
// ln: with w = 2s + 1 (odd, u = w / 2^25) and e = floor(log2 w), q = w * 2^(11 - e) lies in
// [2048, 4096) exactly; for j = floor(q) and r = (q - j) / j in [0, 1/2048),
// ln u = (e - 24) ln 2 + ln(j / 4096) + log1p(r). The table holds ln(j / 4096), so for u near 1
// (e = 24) no large terms cancel; log1p(r) is its series to r^5 (truncation < 4e-20).

const LIMB = 4096;
const cosHi = new Float64Array(LIMB);
const sinHi = new Float64Array(LIMB);
const cosLo = new Float64Array(LIMB);
const sinLo = new Float64Array(LIMB);
for (let i = 0; i < LIMB; i++) {
  const a = (2 * Math.PI * i) / LIMB;
  const b = (2 * Math.PI * (i + 0.5)) / (LIMB * LIMB);
  cosHi[i] = Math.cos(a);
  sinHi[i] = Math.sin(a);
  cosLo[i] = Math.cos(b);
  sinLo[i] = Math.sin(b);
}

const HALF = 2048;
/** lnMantissa[j - 2048] = ln(j / 4096) and inverse[j - 2048] = 1 / j, for j in [2048, 4096). */
const lnMantissa = new Float64Array(HALF);
const inverse = new Float64Array(HALF);
for (let j = HALF; j < LIMB; j++) {
  lnMantissa[j - HALF] = Math.log(j / LIMB);
  inverse[j - HALF] = 1 / j;
}
/** scale[e] = 2^(11 - e) and lnExponent[e] = (e - 24) ln 2, for e = floor(log2 w) in [0, 24]. */
const scale = Float64Array.from({ length: 25 }, (_, e) => 2 ** (11 - e));
const lnExponent = Float64Array.from({ length: 25 }, (_, e) => (e - 24) * Math.LN2);

/** ln((s + 0.5) / 2^24) for an integer state s in [0, 2^24). */
export function lnUniform(s: number): number {
  const w = 2 * s + 1;
  const e = 31 - Math.clz32(w);
  const q = w * scale[e]!;
  const j = q | 0;
  const r = (q - j) * inverse[j - HALF]!;
  const log1p = r * (1 - r * (0.5 - r * (1 / 3 - r * (0.25 - r * 0.2))));
  return lnExponent[e]! + lnMantissa[j - HALF]! + log1p;
}

/** cos(2 pi (s + 0.5) / 2^24) for an integer state s in [0, 2^24). */
export function cosUniform(s: number): number {
  const hi = s >>> 12;
  const lo = s & 4095;
  return cosHi[hi]! * cosLo[lo]! - sinHi[hi]! * sinLo[lo]!;
}

/** sin(2 pi (s + 0.5) / 2^24) for an integer state s in [0, 2^24). */
export function sinUniform(s: number): number {
  const hi = s >>> 12;
  const lo = s & 4095;
  return sinHi[hi]! * cosLo[lo]! + cosHi[hi]! * sinLo[lo]!;
}

/** The Box-Muller radius sqrt(-2 ln u1) of the first uniform's state. */
export function boxMullerRadius(s1: number): number {
  return Math.sqrt(-2 * lnUniform(s1));
}

/**
 * Box-Muller of a pair's two uniform states (24-bit integers): sqrt(-2 ln u1) cos(2 pi u2) for
 * branch 0 (even units), sqrt(-2 ln u1) sin(2 pi u2) for branch 1 (odd units).
 */
export function normalFromStates(s1: number, s2: number, branch: number): number {
  return boxMullerRadius(s1) * (branch === 0 ? cosUniform(s2) : sinUniform(s2));
}

/** The tables above, for a copy inside a wasm module that evaluates the same operations (kernels/noise-wasm.ts). */
export const boxMullerTables = { cosHi, sinHi, cosLo, sinLo, lnMantissa, inverse, scale, lnExponent };

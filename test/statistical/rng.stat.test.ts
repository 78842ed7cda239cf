// Distribution of the counter-based normal draws. Calibration: the KS threshold uses the
// Dvoretzky-Kiefer-Wolfowitz-Massart bound P(sqrt(n) D_n > x) <= 2 exp(-2 x^2), exact for every n:
// x = 2.7 gives <= 9.3e-7. Correlations use the CLT: |r| sqrt(n) > 5.6 has probability 2.1e-8 each,
// 5 pairs (next row, unit, seed, step, layer) by Bonferroni <= 1.1e-7 (the unit pair (3, 4) straddles two Box-Muller pairs of rng v2;
// the units of one pair are checked below). A broken generator (Box-Muller without the factor 2, variance 1/2)
// and broken hashes (row or step ignored: neighbouring rows or steps identical) must fail the same checks.
import { expect, test } from 'vitest';
import { normalAt, sampleNoise, uniformPair, type NoiseCounter } from '../../kernels/rng.js';

/** Abramowitz-Stegun 7.1.26 (absolute error < 1.5e-7, far below the KS threshold ~8.5e-3). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function ksStatistic(draws: Float64Array): number {
  const s = Float64Array.from(draws).sort();
  let d = 0;
  s.forEach(
    (x, i) => (d = Math.max(d, Math.abs(normalCdf(x) - i / s.length), Math.abs(normalCdf(x) - (i + 1) / s.length))),
  );
  return d * Math.sqrt(s.length);
}

function correlation(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * b[i]!, 0) / a.length;
}

type Generator = (c: NoiseCounter) => number;
const good: Generator = normalAt;
const halfVariance: Generator = (c) => {
  const [u1, u2] = uniformPair(c);
  return Math.sqrt(-Math.log(u1)) * Math.cos(2 * Math.PI * u2);
};
const ignoresRow: Generator = (c) => normalAt({ ...c, row: 0 });
const ignoresStep: Generator = (c) => normalAt({ ...c, step: 0 });

function passes(gen: Generator): boolean {
  const n = 100_000;
  const draws = Float64Array.from({ length: n }, (_, i) =>
    gen({ seed: 11, step: 2, layer: 1, row: Math.floor(i / 250) * 250 + 1, unit: i % 250 }),
  );
  const m = 20_000;
  const at = (d: Partial<NoiseCounter>, i: number): number =>
    gen({ seed: 11, step: 2, layer: 1, row: i, unit: 3, ...d });
  const base = Array.from({ length: m }, (_, i) => at({}, i));
  const pairs = [
    Array.from({ length: m }, (_, i) => at({ row: i + 1 }, i)),
    Array.from({ length: m }, (_, i) => at({ unit: 4 }, i)),
    Array.from({ length: m }, (_, i) => at({ seed: 12 }, i)),
    Array.from({ length: m }, (_, i) => at({ step: 3 }, i)),
    Array.from({ length: m }, (_, i) => at({ layer: 2 }, i)),
  ];
  const ksOk = ksStatistic(draws) <= 2.7;
  const corrOk = pairs.every((p) => Math.abs(correlation(base, p)) * Math.sqrt(m) <= 5.6);
  return ksOk && corrOk;
}

test('normal draws pass KS (1e5 draws) and show no correlation across row, unit and seed', () => {
  expect(passes(good)).toBe(true);
});

test('broken generators fail the same checks', () => {
  expect(passes(halfVariance)).toBe(false);
  expect(passes(ignoresRow)).toBe(false);
  expect(passes(ignoresStep)).toBe(false);
});

// The pair structure of rng v2: units 2q and 2q + 1 are the cosine and sine branches of one
// Box-Muller pair (u1, u2), so they must be independent. Two checks on m = 2e5 pairs: the product
// moment, |mean(z0 z1)| sqrt(m) <= 5.6 (CLT as above, 2.1e-8); and an 8 x 8 chi-square of the
// pair's two normal CDF octiles (64 equiprobable cells under independence, expected 3125 each):
// chi-square(63) exceeds 131.37 with probability 1e-6. A broken pair that reuses u2 for the sine
// unit's radius (sqrt(-2 ln u2) sin(2 pi u2)) must fail both.
type PairGenerator = (u1: number, u2: number) => [number, number];
const boxMullerPair: PairGenerator = (u1, u2) => {
  const radius = Math.sqrt(-2 * Math.log(u1));
  return [radius * Math.cos(2 * Math.PI * u2), radius * Math.sin(2 * Math.PI * u2)];
};
const reusesU2: PairGenerator = (u1, u2) => [
  Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2),
  Math.sqrt(-2 * Math.log(u2)) * Math.sin(2 * Math.PI * u2),
];

function pairStatistics(pair: (i: number) => [number, number]): { productZ: number; chiSquare: number } {
  const m = 200_000;
  const cells = new Float64Array(64);
  let product = 0;
  for (let i = 0; i < m; i++) {
    const [a, b] = pair(i);
    product += a * b;
    cells[Math.min(7, Math.floor(normalCdf(a) * 8)) * 8 + Math.min(7, Math.floor(normalCdf(b) * 8))]!++;
  }
  const expected = m / 64;
  const chiSquare = cells.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
  return { productZ: Math.abs(product) / Math.sqrt(m), chiSquare };
}

const pairCounter = (i: number): NoiseCounter => ({
  seed: 21,
  step: 4,
  layer: 2,
  row: Math.floor(i / 500),
  unit: 2 * (i % 500),
});
const pairPasses = (s: { productZ: number; chiSquare: number }): boolean => s.productZ <= 5.6 && s.chiSquare <= 131.37;

test('the cosine and sine units of one pair are independent; a pair that reuses u2 for the second radius is not', () => {
  const drawn = pairStatistics((i) => {
    const c = pairCounter(i);
    return [normalAt(c), normalAt({ ...c, unit: c.unit + 1 })];
  });
  expect(pairPasses(drawn)).toBe(true);
  expect(pairPasses(pairStatistics((i) => boxMullerPair(...uniformPair(pairCounter(i)))))).toBe(true);
  expect(pairPasses(pairStatistics((i) => reusesU2(...uniformPair(pairCounter(i)))))).toBe(false);
});

test('QMC lattice noise: per-unit copy means are far closer to 0 than i.i.d. (variance reduction)', () => {
  const spread = (qmc: boolean): number => {
    const eps = sampleNoise({ seed: 4, step: 0, layer: 0, samples: 50, copies: 64, units: 4, qmc });
    let sq = 0;
    for (let n = 0; n < 50; n++)
      for (let i = 0; i < 4; i++) {
        let m = 0;
        for (let k = 0; k < 64; k++) m += eps[(n * 64 + k) * 4 + i]! / 64;
        sq += m * m;
      }
    return sq / 200;
  };
  // i.i.d. copy means have variance 1/64; a shifted lattice stratifies each unit's 64 points, so its
  // mean error is orders smaller. The factor 10 leaves a wide margin on both sides.
  expect(spread(true) * 10).toBeLessThan(spread(false));
});

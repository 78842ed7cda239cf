// Distribution of the counter-based normal draws. Calibration: the KS threshold uses the
// Dvoretzky-Kiefer-Wolfowitz-Massart bound P(sqrt(n) D_n > x) <= 2 exp(-2 x^2), exact for every n:
// x = 2.7 gives <= 9.3e-7. Correlations use the CLT: |r| sqrt(n) > 5.6 has probability 2.1e-8 each,
// 3 pairs by Bonferroni <= 1e-7. A broken generator (Box-Muller without the factor 2, variance 1/2)
// and a broken hash (row ignored: neighbouring rows identical) must fail the same checks.
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

// Kernel noise is N(0, sigma^2): on every backend that works here, 10^5 draws of noise-inject
// (z = 0) pass a mean test, a variance test and a Kolmogorov-Smirnov normality test, each
// calibrated to a false-failure probability <= 1e-6 (derivations at the thresholds). Three
// deliberately broken in-kernel generators (uniform instead of Box-Muller, sigma applied twice,
// folded |eps|) run through the same gpu.js machinery and must each fail the check aimed at them.
// CPU backends draw eps on the host (kernels/host-noise.ts), so the in-kernel generator of the GPU
// backends is also run here directly on gpu.js webasm and must pass the same checks.
import { erf } from 'mathjs';
import { afterAll, describe, expect, it } from 'vitest';
import { GpujsContext, type Flat, type ThreadThis } from '../../kernels/gpujs/gpujs-context.js';
import {
  noiseInjectInKernel,
  RNG_HELPERS,
  rngAbsorb,
  rngNormal,
  rngUniform,
} from '../../kernels/gpujs/noise-inject.js';
import { detectAll } from '../../kernels/backends.js';
import { openBackend } from '../../kernels/registry.js';

const ROWS = 400;
const CHANNELS = 10;
const SPATIAL = 25; // 400 * 10 * 25 = 10^5 draws
const N = ROWS * CHANNELS * SPATIAL;
const SIGMA = 0.7;
const COUNTER = { seed: 2024318, step: 3, layer: 1, rowOffset: 0 };

// Two-sided normal quantile for 1e-6: P(|Z| > 4.892) = 1.0e-6. The sample mean of n i.i.d.
// N(0, sigma^2) draws is exactly N(0, sigma^2 / n), so |mean| <= 4.892 sigma / sqrt(n) fails w.p. 1e-6.
const Z_1E6 = 4.892;
// The sample variance s^2 has sd sigma^2 sqrt(2 / (n - 1)); at n = 10^5 chi^2 is normal to within
// its skewness sqrt(8 / n) ~ 0.009, so the normal quantile is widened to 5.0 to stay below 1e-6.
const VAR_Z = 5.0;
// Dvoretzky-Kiefer-Wolfowitz with Massart's constant: P(sup |F_n - F| > eps) <= 2 exp(-2 n eps^2)
// for every n, so eps = sqrt(ln(2 / 1e-6) / (2 n)) bounds the KS false-failure probability by 1e-6.
const KS_EPS = Math.sqrt(Math.log(2 / 1e-6) / (2 * N));

const phi = (x: number): number => 0.5 * (1 + (erf(x / Math.SQRT2) as number));

interface NoiseStats {
  meanZ: number;
  varDev: number;
  ks: number;
}

/** Standardised statistics of draws that should be N(0, SIGMA^2). */
function noiseStats(draws: ArrayLike<number>): NoiseStats {
  const x = Float64Array.from(draws, (v) => v / SIGMA);
  const n = x.length;
  const mean = x.reduce((s, v) => s + v, 0) / n;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  x.sort();
  let ks = 0;
  for (let i = 0; i < n; i++) {
    const f = phi(x[i]!);
    ks = Math.max(ks, (i + 1) / n - f, f - i / n);
  }
  return { meanZ: Math.abs(mean) * Math.sqrt(n), varDev: Math.abs(variance - 1) / Math.sqrt(2 / (n - 1)), ks };
}

const passes = (s: NoiseStats) => ({ mean: s.meanZ <= Z_1E6, variance: s.varDev <= VAR_Z, ks: s.ks <= KS_EPS });

const statuses = (await detectAll()).filter((s) => s.backend !== 'reference');
for (const s of statuses.filter((b) => !b.works)) console.log(`[gpu-noise] backend ${s.backend} skipped: ${s.reason}`);

for (const status of statuses) {
  describe.skipIf(!status.works)(
    status.works ? status.backend : `${status.backend} - SKIPPED: ${status.reason}`,
    () => {
      it(`10^5 kernel draws have mean 0, variance sigma^2 and pass KS at 1e-6`, async () => {
        const runner = await openBackend(status.backend);
        const z = new Float32Array(N);
        const sigma = new Float32Array(CHANNELS).fill(SIGMA);
        const r = await runner.run('noise-inject', {
          z,
          sigma,
          rows: ROWS,
          channels: CHANNELS,
          spatial: SPATIAL,
          ...COUNTER,
        });
        await runner.dispose();
        expect(r.backend).toBe(status.backend);
        const stats = noiseStats(r.out);
        console.log(
          `[gpu-noise] ${status.backend}: |mean| sqrt(n)/sigma = ${stats.meanZ.toFixed(3)} (<= ${Z_1E6}), variance z = ${stats.varDev.toFixed(3)} (<= ${VAR_Z}), KS D = ${stats.ks.toFixed(5)} (<= ${KS_EPS.toFixed(5)})`,
        );
        expect(passes(stats)).toEqual({ mean: true, variance: true, ks: true });
      });
    },
  );
}

describe('the in-kernel generator of the GPU backends, compiled on gpu.js webasm', () => {
  const ctx = new GpujsContext('webasm');
  afterAll(() => ctx.destroy());
  it('10^5 in-kernel draws have mean 0, variance sigma^2 and pass KS at 1e-6', async () => {
    const z = new Float32Array(N);
    const sigma = new Float32Array(CHANNELS).fill(SIGMA);
    const out = await noiseInjectInKernel(ctx, {
      z,
      sigma,
      rows: ROWS,
      channels: CHANNELS,
      spatial: SPATIAL,
      ...COUNTER,
    });
    expect(ctx.takeRanModes()).toEqual(['webasm']);
    expect(passes(noiseStats(out))).toEqual({ mean: true, variance: true, ks: true });
  });
});

// Broken generators, built from the same in-kernel RNG helpers so they exercise the same path.
function brokenUniform(this: ThreadThis, sigma: Flat, seed: number): number {
  const s = rngAbsorb(rngAbsorb(1696 * 4096 + 2534, seed), this.thread.x);
  return sigma[0]! * (rngUniform(s, 1) - 0.5) * 3.4641016151377544;
}
function brokenSigmaTwice(this: ThreadThis, sigma: Flat, seed: number): number {
  return sigma[0]! * sigma[0]! * rngNormal(seed, 3, 1, 0, this.thread.x);
}
function brokenFolded(this: ThreadThis, sigma: Flat, seed: number): number {
  return sigma[0]! * Math.abs(rngNormal(seed, 3, 1, 0, this.thread.x));
}

describe('broken in-kernel generators fail the same checks (gpu.js webasm)', () => {
  const ctx = new GpujsContext('webasm');
  afterAll(() => ctx.destroy());
  const draw = (name: string, body: (...a: never[]) => number) =>
    ctx.call(
      ctx.kernel(name, body, { output: [N], constants: {}, helpers: RNG_HELPERS }),
      Float32Array.of(SIGMA),
      COUNTER.seed,
    );

  it('a uniform with the right mean and variance fails KS', async () => {
    const p = passes(noiseStats(await draw('broken-uniform', brokenUniform)));
    expect(p).toEqual({ mean: true, variance: true, ks: false });
  });
  it('sigma applied twice fails the variance test', async () => {
    expect(passes(noiseStats(await draw('broken-sigma', brokenSigmaTwice))).variance).toBe(false);
  });
  it('folded |eps| fails the mean test', async () => {
    expect(passes(noiseStats(await draw('broken-folded', brokenFolded))).mean).toBe(false);
  });
});

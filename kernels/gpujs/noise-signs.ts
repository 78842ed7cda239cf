// gpu.js packed signs of the counter-based noise (ALR's kept sign bits) drawn inside the kernel:
// no eps array is formed or read back. eps = sqrt(-2 ln u1) cos(2 pi u2) (even unit) or
// sqrt(-2 ln u1) sin(2 pi u2) (odd unit; rng v2) with a positive radius, so its sign is the cosine's or
// the sine's: with u2 = (r + 0.5) / 2^24, cos >= 0 exactly when the 24-bit integer r is below 2^22 or
// at least 3 * 2^22, sin >= 0 exactly when r is below 2^23. That test is exact integer arithmetic,
// so the bits equal the reference's on every backend (no float32 cos or sin near zero).
// Layout as sign-pack: bit i of word j is the sign of element 32j + i; each thread builds one
// exact 16-bit half-word and the host joins the halves. Also noise-inject-signs (host arrays out) and
// the resident noise kernels (the noisy output stays on the device; only the sign words come back).
import type { ResidentArgs } from '../device-tensor.js';
import type { NoiseCounters } from '../device-ops.js';
import { hostNoiseInjectSigns } from '../host-noise.js';
import type { NoiseInjectArgs } from '../names.js';
import type { Flat, GpujsContext, Launcher, ThreadThis } from './gpujs-context.js';
import { LEAF_HELPERS, noiseInjectInKernel, rngMix, rngRound } from './noise-inject.js';

/** Constants: count = elements, cols = channels * spatial (units per row). */
function noiseSignsBody(this: ThreadThis, seed: number, step: number, layer: number, rowOffset: number): number {
  let acc = 0;
  let bit = 1;
  for (let b = 0; b < 16; b++) {
    const index = this.thread.x * 16 + b;
    if (index < this.constants.count) {
      const r = Math.floor((index + 0.5) / this.constants.cols);
      const unit = index - r * this.constants.cols;
      const pair = Math.floor(unit * 0.5);
      let state = 1696 * 4096 + 2534;
      state = rngRound(rngRound(rngMix(state, seed)));
      state = rngRound(rngRound(rngMix(state, step)));
      state = rngRound(rngRound(rngMix(state, layer)));
      state = rngRound(rngRound(rngMix(state, rowOffset + r)));
      state = rngRound(rngRound(rngMix(state, pair)));
      const t = rngRound(rngRound(rngRound(rngRound(rngRound(state)))));
      if (unit - pair * 2 > 0.5) {
        if (t < 8388608) acc += bit;
      } else if (t < 4194304 || t >= 12582912) acc += bit;
    }
    bit = bit * 2;
  }
  return acc;
}

/** The sign half-words (16 signs per float, exact integers) of a noise-inject call's counters, as the launcher returns them. */
export function signHalves<O>(gpu: Launcher<O>, a: NoiseCounters): Promise<O> {
  const count = a.rows * a.channels * a.spatial;
  const kernel = gpu.kernel('noise-signs', noiseSignsBody, {
    output: [2 * Math.ceil(count / 32)],
    constants: { count, cols: a.channels * a.spatial },
    helpers: LEAF_HELPERS,
  });
  return gpu.call(kernel, a.seed, a.step, a.layer, a.rowOffset);
}

/** The packed signs of eps for a noise-inject call's counters (z and sigma are not read). */
export async function noiseSigns(ctx: GpujsContext, a: NoiseCounters): Promise<Uint32Array> {
  const words = Math.ceil((a.rows * a.channels * a.spatial) / 32);
  if (words === 0) return new Uint32Array(0);
  const halves = await signHalves(ctx, a);
  const out = new Uint32Array(words);
  for (let j = 0; j < words; j++) out[j] = (halves[2 * j]! + halves[2 * j + 1]! * 65536) >>> 0;
  return out;
}

/** Resident noise-inject (GPU modes): z may be a handle, the noisy output stays on the device. */
export function residentNoiseInject<O>(gpu: Launcher<O>, a: ResidentArgs<'noise-inject'>): Promise<O> {
  return noiseInjectInKernel(gpu, a);
}

/** Resident noise-inject-signs: the output stays on the device; only the sign words (1/32 of eps) reach the host. */
export async function residentNoiseInjectSigns<O>(
  ctx: GpujsContext,
  gpu: Launcher<O>,
  a: ResidentArgs<'noise-inject-signs'>,
): Promise<{ out: O; signs: Uint32Array }> {
  return { out: await noiseInjectInKernel(gpu, a), signs: await noiseSigns(ctx, a) };
}

/**
 * noise-inject plus the packed signs of eps (ALR's fused NoiseInject + SignPack). CPU modes: one host
 * pass. GPU modes: the noisy output from the in-kernel generator and the sign words from a second
 * in-kernel draw of the same counters (noise-signs.ts): eps never crosses the bus.
 */
export async function noiseInjectSigns(
  ctx: GpujsContext,
  a: NoiseInjectArgs,
): Promise<{ out: Float32Array; signs: Uint32Array }> {
  switch (ctx.mode) {
    case 'webasm':
    case 'cpu':
      return hostNoiseInjectSigns(a);
    case 'headlessgl':
    case 'webgpu':
    case 'webgl2': {
      return { out: await noiseInjectInKernel(ctx, a), signs: await noiseSigns(ctx, a) };
    }
    default:
      return ctx.mode satisfies never;
  }
}

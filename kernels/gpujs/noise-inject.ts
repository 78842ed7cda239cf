// gpu.js noise injection: out = z + sigma[c] * eps, where eps is the counter-based standard normal
// of kernels/rng.ts (rng v2) for (seed, step, layer, row, unit), computed INSIDE the kernel: no host
// noise array is built or uploaded. The 24-bit RNG state is one float holding hi * 4096 + lo, so
// every intermediate is an integer below 2^24 and float32 arithmetic (GLSL, WGSL, wasm f32)
// reproduces the reference bit for bit; only Box-Muller's log/sqrt/cos/sin differ, by float32 rounding.
// Each thread computes its unit's pair (floor(unit / 2)) and takes the cosine branch for an even unit,
// the sine branch for an odd one.
// On gpu.js's CPU modes the same draws come from the host block generator (kernels/host-noise.ts).
import { hostNoiseInject } from '../host-noise.js';
import type { KernelName, NoiseInjectArgs } from '../names.js';
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type GpujsContext, type Launcher, type ThreadThis } from './gpujs-context.js';

/** One mixing round of rng.ts on the packed state s = hi * 4096 + lo (steps 1-4 of its header). */
export function rngRound(s: number): number {
  const hi = Math.floor(s / 4096);
  const lo = s - hi * 4096;
  const p = lo * 2533;
  const pHi = Math.floor(p / 4096);
  const lo1 = p - pHi * 4096;
  const h0 = hi * 2533 - Math.floor((hi * 2533) / 4096) * 4096;
  const h1 = lo * 1443 - Math.floor((lo * 1443) / 4096) * 4096;
  const hsum = h0 + h1 + pHi;
  const hi1 = hsum - Math.floor(hsum / 4096) * 4096;
  const t = lo1 + 2845;
  const lo2 = t - Math.floor(t / 4096) * 4096;
  const hraw = hi1 + 967 + Math.floor(t / 4096);
  const hi2 = hraw - Math.floor(hraw / 4096) * 4096;
  const fraw = lo2 + Math.floor((hi2 * hi2) / 4096);
  const lo3 = fraw - Math.floor(fraw / 4096) * 4096;
  return lo3 * 4096 + hi2;
}

/** Adds one word w in [0, 2^24) into the packed state, limb by limb (rng.ts `absorb` before its rounds). */
export function rngMix(s: number, w: number): number {
  const hi = Math.floor(s / 4096);
  const lo = s - hi * 4096;
  const wHi = Math.floor(w / 4096);
  const a = hi + wHi;
  const b = lo + (w - wHi * 4096);
  const hi1 = a - Math.floor(a / 4096) * 4096;
  const lo1 = b - Math.floor(b / 4096) * 4096;
  return hi1 * 4096 + lo1;
}

/** Absorbs one word w into the packed state, then two rounds (rng.ts `absorb`). */
export function rngAbsorb(s: number, w: number): number {
  return rngRound(rngRound(rngMix(s, w)));
}

/** Uniform j in (0, 1) of a pair from its absorbed state (rng.ts: s1 = 2 rounds on, s2 = s1 and 3 rounds more). */
export function rngUniform(s: number, j: number): number {
  let r = rngRound(rngRound(s));
  if (j > 1.5) r = rngRound(rngRound(rngRound(r)));
  return r / 16777216 + 0.5 / 16777216;
}

/** The standard normal of (seed, step, layer, row, unit): Box-Muller of its pair, cosine branch for an even unit, sine for odd. */
export function rngNormal(seed: number, step: number, layer: number, row: number, unit: number): number {
  const pair = Math.floor(unit * 0.5);
  const s = rngAbsorb(rngAbsorb(rngAbsorb(rngAbsorb(rngAbsorb(1696 * 4096 + 2534, seed), step), layer), row), pair);
  const u1 = rngUniform(s, 1);
  const angle = 6.283185307179586 * rngUniform(s, 2);
  let trig = Math.cos(angle);
  if (unit - pair * 2 > 0.5) trig = Math.sin(angle);
  return Math.sqrt(-2 * Math.log(u1)) * trig;
}

export const RNG_HELPERS = [rngRound, rngMix, rngAbsorb, rngUniform, rngNormal];
export const LEAF_HELPERS = [rngRound, rngMix];

/**
 * The kernel body calls only leaf helpers (rngMix, rngRound): gpu.js's GLSL back end emits helpers
 * in an order where one helper calling another fails to compile on webgl2 ("no matching overloaded
 * function"), so rngNormal's absorbs and uniforms are unrolled here: absorb = 2 rounds of a mix,
 * s1 = 2 rounds on the pair state, s2 = 3 rounds on s1. unit * 0.5 and its floor are exact in float32.
 */
function noiseInjectBody(
  this: ThreadThis,
  z: Flat,
  sigma: Flat,
  seed: number,
  step: number,
  layer: number,
  rowOffset: number,
): number {
  const s = this.thread.x;
  const c = this.thread.y;
  const r = this.thread.z;
  const unit = c * this.constants.spatial + s;
  const pair = Math.floor(unit * 0.5);
  const index = (r * this.constants.channels + c) * this.constants.spatial + s;
  let state = 1696 * 4096 + 2534;
  state = rngRound(rngRound(rngMix(state, seed)));
  state = rngRound(rngRound(rngMix(state, step)));
  state = rngRound(rngRound(rngMix(state, layer)));
  state = rngRound(rngRound(rngMix(state, rowOffset + r)));
  state = rngRound(rngRound(rngMix(state, pair)));
  const s1 = rngRound(rngRound(state));
  const s2 = rngRound(rngRound(rngRound(s1)));
  const angle = 6.283185307179586 * (s2 / 16777216 + 0.5 / 16777216);
  let trig = Math.cos(angle);
  if (unit - pair * 2 > 0.5) trig = Math.sin(angle);
  return z[index]! + sigma[c]! * Math.sqrt(-2 * Math.log(s1 / 16777216 + 0.5 / 16777216)) * trig;
}

/** Kernels gpu.js's CPU modes (webasm, cpu) compute in host JS rather than in a gpu.js kernel. */
export const GPUJS_HOST_KERNELS: ReadonlySet<KernelName> = new Set(['noise-inject', 'noise-inject-signs']);

/** The in-kernel generator, on any mode (the GPU path; tests also run it on the CPU modes); z may be a handle where the launcher is resident. */
export async function noiseInjectInKernel<O>(
  ctx: Launcher<O>,
  a: NoiseInjectArgs | ResidentArgs<'noise-inject'>,
): Promise<O> {
  const kernel = ctx.kernel('noise-inject', noiseInjectBody, {
    output: [a.spatial, a.channels, a.rows],
    constants: { channels: a.channels, spatial: a.spatial },
    helpers: LEAF_HELPERS,
  });
  return ctx.call(kernel, f32(a.z), f32(a.sigma), a.seed, a.step, a.layer, a.rowOffset);
}

/**
 * gpu.js's CPU modes (webasm, cpu) run on the host anyway, so they use the host block generator
 * (~20x faster than the in-kernel float arithmetic compiled to wasm, and bit-exact eps); the GPU
 * modes generate inside the kernel, so no noise array crosses the bus.
 */
export async function noiseInject(ctx: GpujsContext, a: NoiseInjectArgs): Promise<Float32Array> {
  switch (ctx.mode) {
    case 'webasm':
    case 'cpu':
      return hostNoiseInject(a);
    case 'headlessgl':
    case 'webgpu':
    case 'webgl2':
      return noiseInjectInKernel(ctx, a);
    default:
      return ctx.mode satisfies never;
  }
}

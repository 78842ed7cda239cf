// gpu.js Adam with bias correction: m' = b1 m + (1 - b1) g, v' = b2 v + (1 - b2) g^2,
// w' = w - lr (m' / c1) / (sqrt(v' / c2) + eps) with c1 = 1 - b1^t, c2 = 1 - b2^t computed on the
// host in float64 (they are scalars). One element-wise kernel per output (no kernel maps on webasm).
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function adamMomentBody(this: ThreadThis, m: Flat, g: Flat, beta: number, power: number): number {
  const gi = g[this.thread.x]!;
  const term = power === 2 ? gi * gi : gi;
  return beta * m[this.thread.x]! + (1 - beta) * term;
}

function adamWeightsBody(
  this: ThreadThis,
  w: Flat,
  m1: Flat,
  v1: Flat,
  lr: number,
  c1: number,
  c2: number,
  eps: number,
): number {
  const mHat = m1[this.thread.x]! / c1;
  const vHat = v1[this.thread.x]! / c2;
  return w[this.thread.x]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
}

export async function adamUpdate<O>(
  ctx: Launcher<O>,
  a: ResidentArgs<'adam-update'>,
): Promise<{ w: O | Float32Array; m: O | Float32Array; v: O | Float32Array }> {
  const n = a.w.length;
  if (n === 0) return { w: new Float32Array(0), m: new Float32Array(0), v: new Float32Array(0) };
  const mk = ctx.kernel('adam-moment', adamMomentBody, { output: [n], constants: {} });
  const wk = ctx.kernel('adam-w', adamWeightsBody, { output: [n], constants: {} });
  const g = f32(a.g);
  const m = await ctx.call(mk, f32(a.m), g, a.beta1, 1);
  const v = await ctx.call(mk, f32(a.v), g, a.beta2, 2);
  const w = await ctx.call(wk, f32(a.w), m, v, a.lr, 1 - a.beta1 ** a.t, 1 - a.beta2 ** a.t, a.eps);
  return { w, m, v };
}

// gpu.js LayerNorm, one thread per element [rows, features]: forward (each thread takes its row's
// mean and variance), backward (each thread also takes the row's means of g = dy gamma and of
// g xhat), and the parameter gradient (xhat by the forward kernel with gamma 1 and beta 0, then one
// thread per feature and parameter summing over the rows). The layer's epsilon is a kernel argument.
import type { LayernormGradArgs } from '../token-op-args.js';
import type { ResidentArgs } from '../device-tensor.js';
import type { GpujsContext } from './gpujs-context.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function layernormBody(this: ThreadThis, x: Flat, gamma: Flat, beta: Flat, eps: number): number {
  const f = this.thread.x;
  const base = this.thread.y * this.constants.features;
  let mean = 0;
  for (let j = 0; j < this.constants.features; j++) mean += x[base + j]!;
  mean = mean / this.constants.features;
  let variance = 0;
  for (let j = 0; j < this.constants.features; j++) variance += (x[base + j]! - mean) * (x[base + j]! - mean);
  const inv = 1 / Math.sqrt(variance / this.constants.features + eps);
  return gamma[f]! * (x[base + f]! - mean) * inv + beta[f]!;
}

function layernormBackwardBody(this: ThreadThis, dy: Flat, x: Flat, gamma: Flat, eps: number): number {
  const f = this.thread.x;
  const base = this.thread.y * this.constants.features;
  const n = this.constants.features;
  let mean = 0;
  for (let j = 0; j < n; j++) mean += x[base + j]!;
  mean = mean / n;
  let variance = 0;
  for (let j = 0; j < n; j++) variance += (x[base + j]! - mean) * (x[base + j]! - mean);
  const inv = 1 / Math.sqrt(variance / n + eps);
  let meanG = 0;
  let meanGXhat = 0;
  for (let j = 0; j < n; j++) {
    const g = dy[base + j]! * gamma[j]!;
    meanG += g / n;
    meanGXhat += (g * (x[base + j]! - mean) * inv) / n;
  }
  return inv * (dy[base + f]! * gamma[f]! - meanG - (x[base + f]! - mean) * inv * meanGXhat);
}

/** Thread (f, 0): sum over rows of dy xhat; thread (f, 1): sum over rows of dy. */
function layernormGradBody(this: ThreadThis, dy: Flat, xhat: Flat): number {
  const f = this.thread.x;
  let sum = 0;
  for (let r = 0; r < this.constants.rows; r++) {
    let factor = 1;
    if (this.thread.y === 0) factor = xhat[r * this.constants.features + f]!;
    sum += dy[r * this.constants.features + f]! * factor;
  }
  return sum;
}

export async function layernorm<O>(ctx: Launcher<O>, a: ResidentArgs<'layernorm'>): Promise<O> {
  const kernel = ctx.kernel('layernorm', layernormBody, {
    output: [a.features, a.rows],
    constants: { features: a.features },
  });
  return ctx.call(kernel, f32(a.x), f32(a.gamma), f32(a.beta), a.epsilon);
}

export async function layernormBackward<O>(ctx: Launcher<O>, a: ResidentArgs<'layernorm-backward'>): Promise<O> {
  const kernel = ctx.kernel('layernorm-backward', layernormBackwardBody, {
    output: [a.features, a.rows],
    constants: { features: a.features },
  });
  return ctx.call(kernel, f32(a.dy), f32(a.x), f32(a.gamma), a.epsilon);
}

export async function layernormGrad(
  ctx: GpujsContext,
  a: LayernormGradArgs,
): Promise<{ weights: Float32Array; biases: Float32Array }> {
  const unit = { gamma: new Float32Array(a.features).fill(1), beta: new Float32Array(a.features) };
  const xhat = await layernorm(ctx, { x: a.x, ...unit, rows: a.rows, features: a.features, epsilon: a.epsilon });
  const kernel = ctx.kernel('layernorm-grad', layernormGradBody, {
    output: [a.features, 2],
    constants: { features: a.features, rows: a.rows },
  });
  const both = await ctx.call(kernel, f32(a.dy), xhat);
  return { weights: both.slice(0, a.features), biases: both.slice(a.features) };
}

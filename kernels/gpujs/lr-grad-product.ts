// gpu.js LR/ALR gradient product of a dense layer: weights[o, i] = scale / sigma[o] *
// sum_r loss[r] e[r, o] x[r, i] and biases[o] = scale / sigma[o] * sum_r loss[r] e[r, o], with e the
// noise (LR) or its +-1 signs (ALR). The error signal is formed on the fly inside the reduction,
// so the rows x outs delta matrix is never materialised.
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function lrWeightsBody(this: ThreadThis, loss: Flat, e: Flat, x: Flat, sigma: Flat, scale: number): number {
  const i = this.thread.x;
  const o = this.thread.y;
  let sum = 0;
  for (let r = 0; r < this.constants.rows; r++) {
    sum += loss[r]! * e[r * this.constants.outs + o]! * x[r * this.constants.ins + i]!;
  }
  return (sum * scale) / sigma[o]!;
}

function lrBiasesBody(this: ThreadThis, loss: Flat, e: Flat, sigma: Flat, scale: number): number {
  const o = this.thread.x;
  let sum = 0;
  for (let r = 0; r < this.constants.rows; r++) {
    sum += loss[r]! * e[r * this.constants.outs + o]!;
  }
  return (sum * scale) / sigma[o]!;
}

export async function lrGradProduct<O>(
  ctx: Launcher<O>,
  a: ResidentArgs<'lr-grad-product'>,
): Promise<{ weights: O; biases: O }> {
  const { rows, outs, ins } = a;
  const wk = ctx.kernel('lr-weights', lrWeightsBody, { output: [ins, outs], constants: { rows, outs, ins } });
  const bk = ctx.kernel('lr-biases', lrBiasesBody, { output: [outs], constants: { rows, outs } });
  const loss = f32(a.loss);
  const e = f32(a.e);
  const sigma = f32(a.sigma);
  const weights = await ctx.call(wk, loss, e, f32(a.x), sigma, a.scale);
  const biases = await ctx.call(bk, loss, e, sigma, a.scale);
  return { weights, biases };
}

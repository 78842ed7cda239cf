// gpu.js batch normalisation with given statistics, layout [rows, channels, spatial]: one thread per
// element, out = gamma[c] (x - mean[c]) / sqrt(variance[c] + 1e-5) + beta[c] (the reference's epsilon).
import type { ResidentArgs } from '../device-tensor.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function batchnormBody(
  this: ThreadThis,
  x: Flat,
  gamma: Flat,
  beta: Flat,
  mean: Flat,
  variance: Flat,
  eps: number,
): number {
  const s = this.thread.x;
  const c = this.thread.y;
  const r = this.thread.z;
  const v = x[(r * this.constants.channels + c) * this.constants.spatial + s]!;
  return (gamma[c]! * (v - mean[c]!)) / Math.sqrt(variance[c]! + eps) + beta[c]!;
}

export async function batchnorm<O>(ctx: Launcher<O>, a: ResidentArgs<'batchnorm'>): Promise<O> {
  const kernel = ctx.kernel('batchnorm', batchnormBody, {
    output: [a.spatial, a.channels, a.rows],
    constants: { channels: a.channels, spatial: a.spatial },
  });
  return ctx.call(kernel, f32(a.x), f32(a.gamma), f32(a.beta), f32(a.mean), f32(a.variance), batchnormEpsilon);
}

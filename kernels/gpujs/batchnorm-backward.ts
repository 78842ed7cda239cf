// gpu.js BP through batchnorm with frozen statistics, layout [rows, channels, spatial]: one thread per
// element, dx = dy gamma[c] / sqrt(variance[c] + 1e-5) (the reference's epsilon).
import type { ResidentArgs } from '../device-tensor.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function batchnormBackwardBody(this: ThreadThis, dy: Flat, gamma: Flat, variance: Flat, eps: number): number {
  const s = this.thread.x;
  const c = this.thread.y;
  const r = this.thread.z;
  const g = dy[(r * this.constants.channels + c) * this.constants.spatial + s]!;
  return g * gamma[c]! * (1 / Math.sqrt(variance[c]! + eps));
}

export async function batchnormBackward<O>(ctx: Launcher<O>, a: ResidentArgs<'batchnorm-backward'>): Promise<O> {
  const kernel = ctx.kernel('batchnorm-backward', batchnormBackwardBody, {
    output: [a.spatial, a.channels, a.rows],
    constants: { channels: a.channels, spatial: a.spatial },
  });
  return ctx.call(kernel, f32(a.dy), f32(a.gamma), f32(a.variance), batchnormEpsilon);
}

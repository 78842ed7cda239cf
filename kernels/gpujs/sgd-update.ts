// gpu.js SGD with momentum: v' = momentum * v + g, then w' = w - lr * v'. Two element-wise kernels
// (gpu.js kernel maps degrade to its cpu backend on webasm, so each output is its own kernel).
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function sgdVelocityBody(this: ThreadThis, v: Flat, g: Flat, momentum: number): number {
  return momentum * v[this.thread.x]! + g[this.thread.x]!;
}

function sgdWeightsBody(this: ThreadThis, w: Flat, v1: Flat, lr: number): number {
  return w[this.thread.x]! - lr * v1[this.thread.x]!;
}

/** Host arrays in and out on a host launcher; on a resident one (pipeline mode) w and v stay on the device. */
export async function sgdUpdate<O>(
  ctx: Launcher<O>,
  a: ResidentArgs<'sgd-update'>,
): Promise<{ w: O | Float32Array; v: O | Float32Array }> {
  const n = a.w.length;
  if (n === 0) return { w: new Float32Array(0), v: new Float32Array(0) };
  const vk = ctx.kernel('sgd-v', sgdVelocityBody, { output: [n], constants: {} });
  const wk = ctx.kernel('sgd-w', sgdWeightsBody, { output: [n], constants: {} });
  const v = await ctx.call(vk, f32(a.v), f32(a.g), a.momentum);
  const w = await ctx.call(wk, f32(a.w), v, a.lr);
  return { w, v };
}

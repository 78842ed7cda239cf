// gpu.js row softmax of scale * x (attention scores), one thread per element: the row's max and sum
// over its kept columns (all, or 0..r mod width when causal: mode 1), 0 elsewhere; and its backward
// from the probabilities, scale p (dy - sum over the row of p dy).
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function softmaxRowsBody(this: ThreadThis, x: Flat, scale: number): number {
  const c = this.thread.x;
  const r = this.thread.y;
  const base = r * this.constants.features;
  let last = this.constants.features - 1;
  if (this.constants.mode === 1) last = r - Math.floor(r / this.constants.features) * this.constants.features;
  if (c > last) return 0;
  let max = x[base]! * scale;
  for (let j = 1; j < this.constants.features; j++) {
    if (j <= last) max = Math.max(max, x[base + j]! * scale);
  }
  let sum = 0;
  for (let j = 0; j < this.constants.features; j++) {
    if (j <= last) sum += Math.exp(x[base + j]! * scale - max);
  }
  return Math.exp(x[base + c]! * scale - max) / sum;
}

function softmaxRowsBackwardBody(this: ThreadThis, dy: Flat, p: Flat, scale: number): number {
  const c = this.thread.x;
  const base = this.thread.y * this.constants.features;
  let dot = 0;
  for (let j = 0; j < this.constants.features; j++) dot += p[base + j]! * dy[base + j]!;
  return scale * p[base + c]! * (dy[base + c]! - dot);
}

export async function softmaxRows<O>(ctx: Launcher<O>, a: ResidentArgs<'softmax-rows'>): Promise<O> {
  const kernel = ctx.kernel('softmax-rows', softmaxRowsBody, {
    output: [a.width, a.rows],
    constants: { features: a.width, mode: a.causal ? 1 : 0 },
  });
  return ctx.call(kernel, f32(a.x), a.scale);
}

export async function softmaxRowsBackward<O>(ctx: Launcher<O>, a: ResidentArgs<'softmax-rows-backward'>): Promise<O> {
  const kernel = ctx.kernel('softmax-rows-backward', softmaxRowsBackwardBody, {
    output: [a.width, a.rows],
    constants: { features: a.width },
  });
  return ctx.call(kernel, f32(a.dy), f32(a.p), a.scale);
}

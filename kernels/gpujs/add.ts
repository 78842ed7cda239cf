// gpu.js elementwise add (residual add and its backward branch sum): one thread per element.
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function addBody(this: ThreadThis, a: Flat, b: Flat): number {
  return a[this.thread.x]! + b[this.thread.x]!;
}

export async function add<O>(ctx: Launcher<O>, a: ResidentArgs<'add'>): Promise<O> {
  if (a.a.length === 0) return new Float32Array(0) as O;
  return ctx.call(ctx.kernel('add', addBody, { output: [a.a.length], constants: {} }), f32(a.a), f32(a.b));
}

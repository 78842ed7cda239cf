// gpu.js elementwise add (residual add and its backward branch sum): one thread per element.
import type { AddArgs } from '../names.js';
import { f32, type Flat, type GpujsContext, type ThreadThis } from './gpujs-context.js';

function addBody(this: ThreadThis, a: Flat, b: Flat): number {
  return a[this.thread.x]! + b[this.thread.x]!;
}

export async function add(ctx: GpujsContext, a: AddArgs): Promise<Float32Array> {
  if (a.a.length === 0) return new Float32Array(0);
  return ctx.call(ctx.kernel('add', addBody, { output: [a.a.length], constants: {} }), f32(a.a), f32(a.b));
}

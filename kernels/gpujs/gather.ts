// gpu.js gather by index map, one thread per output element: scale * x[index[i]], 0 where the index
// is -1. The indices travel as float32, exact below 2^24 (checked here).
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function gatherBody(this: ThreadThis, x: Flat, index: Flat, scale: number): number {
  const at = index[this.thread.x]!;
  if (at < 0) return 0;
  return scale * x[at]!;
}

export async function gather<O>(ctx: Launcher<O>, a: ResidentArgs<'gather'>): Promise<O> {
  if (a.x.length >= 2 ** 24)
    throw new Error(`gpu.js gather: x has ${a.x.length} elements; float32 indices are exact below 2^24`);
  // x's length keys the compiled kernel (gpu.js fixes argument sizes at the first call).
  const kernel = ctx.kernel('gather', gatherBody, { output: [a.index.length], constants: { count: a.x.length } });
  return ctx.call(kernel, f32(a.x), f32(a.index), a.scale);
}

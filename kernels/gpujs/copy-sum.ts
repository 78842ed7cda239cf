// gpu.js copy reduction: [samples * copies, width] -> [samples, width], one thread per output
// element summing its sample's adjacent copies (the fold pass's Reduce before a gradient product).
// Constants: count = copies, cols = width (the context's constant names).
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function copySumBody(this: ThreadThis, x: Flat): number {
  const n = Math.floor(this.thread.x / this.constants.cols);
  const i = this.thread.x - n * this.constants.cols;
  let sum = 0;
  for (let k = 0; k < this.constants.count; k++) sum += x[(n * this.constants.count + k) * this.constants.cols + i]!;
  return sum;
}

export async function copySum<O>(ctx: Launcher<O>, a: ResidentArgs<'copy-sum'>): Promise<O> {
  const kernel = ctx.kernel('copy-sum', copySumBody, {
    output: [a.samples * a.width],
    constants: { count: a.copies, cols: a.width },
  });
  return ctx.call(kernel, f32(a.x));
}

// gpu.js row reduction: out[r] = sum_c x[r, c], one thread per row (the loss totals, baselines and
// bias gradients reduce rows; a column reduction is a matmul-at-b with a ones vector).
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function rowSumBody(this: ThreadThis, x: Flat): number {
  let sum = 0;
  for (let c = 0; c < this.constants.cols; c++) sum += x[this.thread.x * this.constants.cols + c]!;
  return sum;
}

export async function rowSum<O>(ctx: Launcher<O>, a: ResidentArgs<'row-sum'>): Promise<O> {
  const kernel = ctx.kernel('row-sum', rowSumBody, { output: [a.rows], constants: { cols: a.cols } });
  return ctx.call(kernel, f32(a.x));
}

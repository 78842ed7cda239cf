// gpu.js transposed-B matmul: C (m x n) = A B^T with A stored m x k and B n x k, the shape of a
// dense forward pass with weights stored out x in (Z = X W^T), without materialising the transpose.
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function matmulABtBody(this: ThreadThis, a: Flat, b: Flat): number {
  let sum = 0;
  const row = this.thread.y;
  const col = this.thread.x;
  for (let i = 0; i < this.constants.k; i++) {
    sum += a[row * this.constants.k + i]! * b[col * this.constants.k + i]!;
  }
  return sum;
}

export async function matmulABt<O>(ctx: Launcher<O>, args: ResidentArgs<'matmul-a-bt'>): Promise<O> {
  const { m, k, n } = args;
  const kernel = ctx.kernel('matmul-a-bt', matmulABtBody, { output: [n, m], constants: { k } });
  return ctx.call(kernel, f32(args.a), f32(args.b));
}

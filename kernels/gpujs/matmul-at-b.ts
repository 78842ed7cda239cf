// gpu.js transposed-A matmul: C (m x n) = A^T B with A stored k x m and B k x n, the shape of a
// weight gradient (error signal^T times layer input) without materialising the transpose.
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function matmulAtBBody(this: ThreadThis, a: Flat, b: Flat): number {
  let sum = 0;
  const row = this.thread.y;
  const col = this.thread.x;
  for (let i = 0; i < this.constants.k; i++) {
    sum += a[i * this.constants.m + row]! * b[i * this.constants.n + col]!;
  }
  return sum;
}

export async function matmulAtB<O>(ctx: Launcher<O>, args: ResidentArgs<'matmul-at-b'>): Promise<O> {
  const { m, k, n } = args;
  const kernel = ctx.kernel('matmul-at-b', matmulAtBBody, { output: [n, m], constants: { m, k, n } });
  return ctx.call(kernel, f32(args.a), f32(args.b));
}

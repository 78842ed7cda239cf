// gpu.js matmul: C (m x n) = A (m x k) B (k x n), one thread per output cell, float32. Not tiled:
// gpu.js gives each thread one cell, and measured tiling/unrolling variants on webasm stayed within
// 1.3x of this form (see bench/kernels.bench.ts); the CPU speed path is the tfjs-wasm backend.
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function matmulBody(this: ThreadThis, a: Flat, b: Flat): number {
  let sum = 0;
  const row = this.thread.y;
  const col = this.thread.x;
  for (let i = 0; i < this.constants.k; i++) {
    sum += a[row * this.constants.k + i]! * b[i * this.constants.n + col]!;
  }
  return sum;
}

export async function matmul<O>(ctx: Launcher<O>, args: ResidentArgs<'matmul'>): Promise<O> {
  const { m, k, n } = args;
  const kernel = ctx.kernel('matmul', matmulBody, { output: [n, m], constants: { k, n } });
  return ctx.call(kernel, f32(args.a), f32(args.b));
}

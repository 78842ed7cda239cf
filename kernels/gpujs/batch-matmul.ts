// gpu.js batched matrix product, one thread per output element [groups, m, n]: C[g] = op(A[g])
// op(B[g]) with the transpose as a constant (mode 0 none, 1 A stored k x m, 2 B stored n x k).
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function batchMatmulBody(this: ThreadThis, a: Flat, b: Flat): number {
  const j = this.thread.x;
  const i = this.thread.y;
  const g = this.thread.z;
  const m = this.constants.m;
  const k = this.constants.k;
  const n = this.constants.n;
  let sum = 0;
  for (let p = 0; p < this.constants.k; p++) {
    let ai = g * m * k + i * k + p;
    if (this.constants.mode === 1) ai = g * m * k + p * m + i;
    let bi = g * k * n + p * n + j;
    if (this.constants.mode === 2) bi = g * k * n + j * k + p;
    sum += a[ai]! * b[bi]!;
  }
  return sum;
}

const MODES = { none: 0, a: 1, b: 2 } as const;

export async function batchMatmul<O>(ctx: Launcher<O>, a: ResidentArgs<'batch-matmul'>): Promise<O> {
  const kernel = ctx.kernel('batch-matmul', batchMatmulBody, {
    output: [a.n, a.m, a.groups],
    constants: { m: a.m, k: a.k, n: a.n, mode: MODES[a.transpose] },
  });
  return ctx.call(kernel, f32(a.a), f32(a.b));
}

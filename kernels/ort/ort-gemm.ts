// Matrix products on onnxruntime's Gemm (ort-session.ts): out[m x n] = op(a) op(b), where op
// transposes an operand stored the other way round (a as k x m, b as n x k).
import type { OrtRunner } from './ort-session.js';

export interface GemmDims {
  m: number;
  k: number;
  n: number;
  /** a is stored k x m (its transpose is multiplied). */
  transA?: boolean;
  /** b is stored n x k. */
  transB?: boolean;
}

export function ortGemm(ort: OrtRunner, a: Float32Array, b: Float32Array, out: Float32Array, d: GemmDims): void {
  const { m, k, n } = d;
  const transA = d.transA ? 1 : 0;
  const transB = d.transB ? 1 : 0;
  ort.run(
    {
      op: 'Gemm',
      inputs: [transA ? [k, m] : [m, k], transB ? [n, k] : [k, n]],
      output: [m, n],
      attrs: { transA, transB },
    },
    [a, b],
    out,
  );
}

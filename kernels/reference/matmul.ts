// Float64 reference matrix product C = A B, row-major: A is m x k, B is k x n, C is m x n.
// The oracle for every backend's GEMM; not tuned for speed beyond an i-p-j loop order.
import { validate, validateDims } from './validate.js';

export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  validateDims('matmul', { m, k, n });
  validate('matmul', 'a', a, m * k, `m x k = ${m} x ${k}`);
  validate('matmul', 'b', b, k * n, `k x n = ${k} x ${n}`);
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const rowC = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      const rowB = p * n;
      for (let j = 0; j < n; j++) c[rowC + j]! += aip * b[rowB + j]!;
    }
  }
  return c;
}

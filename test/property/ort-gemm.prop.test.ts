// onnxruntime's Gemm (kernels/ort) against a float64 triple loop, in every transposed form, at 1 and
// 2 threads (bit-identical: MLAS never splits a sum across threads), writing only its output view.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ortGemm } from '../../kernels/ort/ort-gemm.js';
import { ortRunner, ortUnavailable } from '../../kernels/ort/ort-session.js';

function product(a: Float32Array, b: Float32Array, m: number, k: number, n: number, tA: boolean, tB: boolean) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let t = 0; t < k; t++) out[i * n + j]! += a[tA ? t * m + i : i * k + t]! * b[tB ? j * k + t : t * n + j]!;
  return out;
}

const dims = fc.record({
  m: fc.integer({ min: 1, max: 40 }),
  k: fc.integer({ min: 1, max: 40 }),
  n: fc.integer({ min: 1, max: 40 }),
  transA: fc.boolean(),
  transB: fc.boolean(),
  seed: fc.integer(),
});

describe('ortGemm', () => {
  it('onnxruntime-node loads here', () => expect(ortUnavailable()).toBeNull());

  test.prop([dims], { numRuns: 60 })('equals the float64 product within float32 rounding', (d) => {
    let s = d.seed | 0;
    const next = () => ((s = (Math.imul(s, 1103515245) + 12345) | 0) >>> 8) / 2 ** 23 - 1;
    const a = new Float32Array(d.m * d.k + 3).map(next).subarray(3);
    const b = Float32Array.from({ length: d.k * d.n }, next);
    const buffer = new Float32Array(d.m * d.n + 2).fill(7);
    const out = buffer.subarray(1, 1 + d.m * d.n);
    ortGemm(ortRunner(1)!, a, b, out, d);
    const want = product(a, b, d.m, d.k, d.n, d.transA, d.transB);
    want.forEach((w, i) => expect(Math.abs(out[i]! - w)).toBeLessThanOrEqual(1e-5 * d.k));
    expect([buffer[0], buffer[buffer.length - 1]]).toEqual([7, 7]);
    const two = new Float32Array(d.m * d.n);
    ortGemm(ortRunner(2)!, a, b, two, d);
    expect(two).toEqual(out);
  });
});

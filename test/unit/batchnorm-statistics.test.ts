// batchnormStatistics (kernels/reference/batchnorm.ts), the runtime's own batch statistics read in place:
// the same bits as the whole reference batchnorm's statistics for float32 and float64 input, and the
// same error naming a non-finite value.
import { describe, expect, it } from 'vitest';
import { batchnorm, batchnormStatistics } from '../../kernels/reference/batchnorm.js';

const dims = { rows: 3, channels: 4, spatial: 5 };
const x32 = Float32Array.from({ length: 60 }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 4));

describe('batchnormStatistics', () => {
  it('gives batchnorm`s statistics bit for bit, float32 read in place or float64', () => {
    const want = batchnorm(Float64Array.from(x32), new Float64Array(4).fill(1), new Float64Array(4), dims).stats;
    expect(batchnormStatistics(x32, dims)).toEqual(want);
    expect(batchnormStatistics(Float64Array.from(x32), dims)).toEqual(want);
  });

  it('refuses a non-finite value or a wrong length as batchnorm does', () => {
    const bad = Float32Array.from(x32);
    bad[17] = NaN;
    const ref = () => batchnorm(Float64Array.from(bad), new Float64Array(4), new Float64Array(4), dims);
    const message = (() => {
      try {
        ref();
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    })();
    expect(message).toContain('17');
    expect(() => batchnormStatistics(bad, dims)).toThrow(message);
    expect(() => batchnormStatistics(x32.subarray(1), dims)).toThrow(/batchnorm/);
  });
});

// The registry's fast finiteness scans (kernels/registry-checks.ts): a NaN or +-Infinity anywhere
// in a float32 or float64 input, including the unrolled tail positions, raises InvalidInputError
// naming the argument and the first bad index; finite inputs pass, whatever their array type.
import { expect, test } from 'vitest';
import { registryChecks, validate } from '../../kernels/registry-checks.js';
import { InvalidInputError } from '../../src/errors.js';

const BAD = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

test('every bad value at every position of a length-9 buffer is found, float32 and float64', () => {
  for (const make of [(n: number) => new Float32Array(n).fill(0.5), (n: number) => new Float64Array(n).fill(-2)]) {
    for (const bad of BAD) {
      for (let at = 0; at < 9; at++) {
        const data = make(9);
        data[at] = bad;
        expect(() => validate('k', 'x', data, 9, 'nine')).toThrow(InvalidInputError);
        expect(() => validate('k', 'x', data, 9, 'nine')).toThrow(`x[${at}] = ${bad}`);
      }
    }
    expect(() => validate('k', 'x', make(9), 9, 'nine')).not.toThrow();
  }
});

test('the first bad index is named when several are bad, and plain arrays are checked too', () => {
  const data = new Float64Array(100).fill(1);
  data[71] = Number.NaN;
  data[40] = Number.POSITIVE_INFINITY;
  expect(() => validate('k', 'x', data, 100, 'hundred')).toThrow('x[40] = Infinity');
  expect(() => validate('k', 'y', [1, Number.NaN], 2, 'two')).toThrow('y[1] = NaN');
  expect(() => validate('k', 'y', [1, 2], 2, 'two')).not.toThrow();
});

test('a matmul with a non-finite b is refused before any backend runs', () => {
  const a = new Float32Array(6).fill(1);
  const b = new Float32Array(6).fill(1);
  b[5] = Number.NEGATIVE_INFINITY;
  expect(() => registryChecks('matmul', { a, b, m: 2, k: 3, n: 2 })).toThrow('matmul: b[5] = -Infinity');
  expect(() => registryChecks('matmul', { a, b: a, m: 2, k: 3, n: 2 })).not.toThrow();
});

// Float64 reference transpose of a row-major rows x cols matrix (gives cols x rows).
import { validate, validateDims } from './validate.js';

export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  validateDims('transpose', { rows, cols });
  validate('transpose', 'a', a, rows * cols, `rows x cols = ${rows} x ${cols}`);
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}

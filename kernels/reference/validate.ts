// Input checks shared by the float64 reference kernels: every kernel validates its dims, buffer
// lengths and finiteness before computing, so a bad shape or a NaN is reported where it enters and
// never propagates silently. Messages name the kernel, the argument and the offending value.
import { InvalidInputError } from '../../src/errors.js';

export type Numeric = Float64Array | Float32Array | readonly number[];

/** Throws unless every dim is a positive integer (or non-negative where listed in `allowZero`). */
export function validateDims(kernel: string, dims: Record<string, number>, allowZero: readonly string[] = []): void {
  for (const [name, value] of Object.entries(dims)) {
    const min = allowZero.includes(name) ? 0 : 1;
    if (!Number.isInteger(value) || value < min) {
      throw new InvalidInputError(
        `${kernel}: dimension ${name} = ${value}; allowed: an integer >= ${min}. Hint: check the layer spec and batch size`,
      );
    }
  }
}

/** Throws unless `data` has exactly `expected` elements. */
export function validateLength(
  kernel: string,
  name: string,
  data: { length: number },
  expected: number,
  layout: string,
): void {
  if (data.length !== expected) {
    throw new InvalidInputError(
      `${kernel}: ${name} has ${data.length} elements; expected ${expected} (${layout}). Hint: shape mismatch between the dims and the buffer`,
    );
  }
}

/** Throws on the first NaN or +-Infinity in `data`, naming its index. */
export function validateFinite(kernel: string, name: string, data: Numeric): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      throw new InvalidInputError(
        `${kernel}: ${name}[${i}] = ${v}; allowed: finite numbers. Hint: a diverging step or uninitialised buffer upstream`,
      );
    }
  }
}

/** Length check plus finiteness check, the common case. */
export function validate(kernel: string, name: string, data: Numeric, expected: number, layout: string): void {
  validateLength(kernel, name, data, expected, layout);
  validateFinite(kernel, name, data);
}

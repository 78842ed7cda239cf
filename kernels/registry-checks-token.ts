// Argument checks of the token kernels (token-op-args.ts), run by the registry before any backend:
// dims, buffer lengths against them, finite values, the transpose and index ranges. Not a kernel.
import { InvalidInputError } from '../src/errors.js';
import { isDeviceTensor, type DeviceTensor } from './device-tensor.js';
import type { KernelArgs } from './names.js';
import { validateDims, validateFinite, validateLength, type Numeric } from './reference/validate.js';
import type { TokenKernelName } from './token-op-args.js';

type Checks = { [K in TokenKernelName]: (a: KernelArgs[K]) => void };

function validate(kernel: string, name: string, data: Numeric | DeviceTensor, expected: number, layout: string): void {
  validateLength(kernel, name, data, expected, layout);
  if (!isDeviceTensor(data)) validateFinite(kernel, name, data);
}

function rowsOf(kernel: string, names: Record<string, Numeric>, rows: number, width: number, what: string): void {
  for (const [name, data] of Object.entries(names))
    validate(kernel, name, data, rows * width, `[rows, ${what}] = [${rows}, ${width}]`);
}

const TRANSPOSES = ['none', 'a', 'b'];

function positiveEpsilon(kernel: string, epsilon: number): void {
  if (!(typeof epsilon === 'number' && Number.isFinite(epsilon) && epsilon > 0))
    throw new InvalidInputError(`${kernel}: epsilon ${String(epsilon)}; allowed: a positive finite number`);
}

export const tokenChecks: Checks = {
  layernorm: ({ x, gamma, beta, rows, features, epsilon }) => {
    validateDims('layernorm', { rows, features });
    positiveEpsilon('layernorm', epsilon);
    rowsOf('layernorm', { x }, rows, features, 'features');
    rowsOf('layernorm', { gamma, beta }, 1, features, 'features');
  },
  'layernorm-backward': ({ dy, x, gamma, rows, features, epsilon }) => {
    validateDims('layernorm-backward', { rows, features });
    positiveEpsilon('layernorm-backward', epsilon);
    rowsOf('layernorm-backward', { dy, x }, rows, features, 'features');
    rowsOf('layernorm-backward', { gamma }, 1, features, 'features');
  },
  'layernorm-grad': ({ dy, x, rows, features, epsilon }) => {
    validateDims('layernorm-grad', { rows, features });
    positiveEpsilon('layernorm-grad', epsilon);
    rowsOf('layernorm-grad', { dy, x }, rows, features, 'features');
  },
  'batch-matmul': ({ a, b, groups, m, k, n, transpose }) => {
    validateDims('batch-matmul', { groups, m, k, n });
    if (!TRANSPOSES.includes(transpose))
      throw new InvalidInputError(`batch-matmul: transpose "${String(transpose)}"; allowed: ${TRANSPOSES.join(', ')}`);
    validate('batch-matmul', 'a', a, groups * m * k, `[groups, m, k] = [${groups}, ${m}, ${k}] (or k, m)`);
    validate('batch-matmul', 'b', b, groups * k * n, `[groups, k, n] = [${groups}, ${k}, ${n}] (or n, k)`);
  },
  'softmax-rows': ({ x, rows, width, scale }) => {
    validateDims('softmax-rows', { rows, width });
    rowsOf('softmax-rows', { x }, rows, width, 'width');
    if (!(scale > 0) || !Number.isFinite(scale))
      throw new InvalidInputError(`softmax-rows: scale = ${scale}; allowed: a finite number > 0`);
  },
  'softmax-rows-backward': ({ dy, p, rows, width, scale }) => {
    validateDims('softmax-rows-backward', { rows, width });
    rowsOf('softmax-rows-backward', { dy, p }, rows, width, 'width');
    if (!Number.isFinite(scale))
      throw new InvalidInputError(`softmax-rows-backward: scale = ${scale}; allowed: a finite number`);
  },
  gather: ({ x, index, scale }) => {
    validate('gather', 'x', x, x.length, 'any length');
    if (!Number.isFinite(scale)) throw new InvalidInputError(`gather: scale = ${scale}; allowed: a finite number`);
    for (let i = 0; i < index.length; i++) {
      const v = index[i]!;
      if (v < -1 || v >= x.length)
        throw new InvalidInputError(`gather: index[${i}] = ${v}; allowed: -1 (zero) or an integer in [0, ${x.length})`);
    }
  },
};

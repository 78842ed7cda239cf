// Argument checks for the graph executor's conv-net kernels (see registry-checks.ts for why every
// backend shares them): shapes against the dims, finite values, positive variances. A device handle
// (device-tensor.ts) gets the shape checks only, as in registry-checks.ts. Not a kernel.
import { InvalidInputError } from '../src/errors.js';
import { isDeviceTensor } from './device-tensor.js';
import type { KernelArgs } from './names.js';
import type { GraphKernelName } from './registry-reference-graph.js';
import { convDims } from './reference/conv-dims.js';
import { poolDims } from './reference/pool-dims.js';
import { type Numeric, validate as validateHost, validateDims, validateLength } from './reference/validate.js';
import { allFinite } from './registry-finite.js';

/**
 * Length check, then the unrolled finiteness scan (registry-finite.ts); the reference check, which names
 * the first bad value, runs only where that scan fails or the values are not float arrays.
 */
function validate(kernel: string, name: string, data: Numeric, expected: number, layout: string): void {
  if (isDeviceTensor(data)) return validateLength(kernel, name, data, expected, layout);
  validateLength(kernel, name, data, expected, layout);
  const float = data instanceof Float32Array || data instanceof Float64Array;
  if (!float || !allFinite(data)) validateHost(kernel, name, data, expected, layout);
}

type Checks = { [K in GraphKernelName]: (a: KernelArgs[K]) => void };

function convShapes(
  kernel: string,
  dy: ArrayLike<number>,
  other: { name: string; data: ArrayLike<number>; weights: boolean },
  d: KernelArgs['conv2d']['dims'],
): void {
  const { outHeight: oh, outWidth: ow } = convDims(kernel, d);
  validate(
    kernel,
    'dy',
    dy as Float64Array,
    d.batch * d.outChannels * oh * ow,
    `[batch, outChannels, oh, ow] = [${d.batch}, ${d.outChannels}, ${oh}, ${ow}]`,
  );
  const expected = other.weights
    ? d.outChannels * d.inChannels * d.kernelSize ** 2
    : d.batch * d.inChannels * d.height * d.width;
  validate(
    kernel,
    other.name,
    other.data as Float64Array,
    expected,
    other.weights ? '[outChannels, inChannels, k, k]' : '[batch, inChannels, height, width]',
  );
}

export const graphChecks: Checks = {
  batchnorm: ({ x, gamma, beta, mean, variance, rows, channels, spatial }) => {
    validateDims('batchnorm', { rows, channels, spatial });
    validate(
      'batchnorm',
      'x',
      x,
      rows * channels * spatial,
      `[rows, channels, spatial] = [${rows}, ${channels}, ${spatial}]`,
    );
    for (const [name, v] of [
      ['gamma', gamma],
      ['beta', beta],
      ['mean', mean],
      ['variance', variance],
    ] as const)
      validate('batchnorm', name, v, channels, `[channels] = [${channels}]`);
    const bad = isDeviceTensor(variance) ? -1 : variance.findIndex((v) => v < 0);
    if (bad >= 0)
      throw new InvalidInputError(
        `batchnorm: variance[${bad}] = ${variance[bad]}; allowed: >= 0. Hint: pass statistics computed from a batch`,
      );
  },
  pool: ({ x, dims }) => {
    poolDims('pool', dims);
    validate('pool', 'x', x, dims.rows * dims.channels * dims.height * dims.width, '[rows, channels, height, width]');
  },
  'pool-backward': ({ dy, x, op, dims }) => {
    const { outHeight, outWidth } = poolDims('pool-backward', dims);
    validate(
      'pool-backward',
      'dy',
      dy,
      dims.rows * dims.channels * outHeight * outWidth,
      `[rows, channels, oh, ow] = [${dims.rows}, ${dims.channels}, ${outHeight}, ${outWidth}]`,
    );
    if (op === 'max')
      validate(
        'pool-backward',
        'x',
        x,
        dims.rows * dims.channels * dims.height * dims.width,
        '[rows, channels, height, width]',
      );
  },
  add: ({ a, b }) => {
    validate('add', 'a', a, a.length, 'any length');
    validate('add', 'b', b, a.length, `same length as a (${a.length})`);
  },
  'conv2d-backward-data': ({ dy, weights, dims }) =>
    convShapes('conv2d-backward-data', dy, { name: 'weights', data: weights, weights: true }, dims),
  'conv2d-backward-weights': ({ dy, x, dims }) =>
    convShapes('conv2d-backward-weights', dy, { name: 'x', data: x, weights: false }, dims),
  'copy-sum': ({ x, samples, copies, width }) => {
    validateDims('copy-sum', { samples, copies, width });
    validate(
      'copy-sum',
      'x',
      x,
      samples * copies * width,
      `[samples * copies, width] = [${samples * copies}, ${width}]`,
    );
  },
};

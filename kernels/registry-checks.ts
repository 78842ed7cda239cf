// Argument checks the registry runs before dispatching a kernel to ANY backend, so a shape mismatch
// or a NaN raises the same InvalidInputError on gpu.js and TF.js as on the float64 reference
// (device kernels would otherwise read out of bounds or propagate NaN silently). Reuses the
// reference kernels' validators so the messages match. Not a kernel.
import { InvalidInputError } from '../src/errors.js';
import { type DeviceTensor, isDeviceTensor } from './device-tensor.js';
import { type KernelArgs, type KernelName, type KernelOutputs, ACTIVATIONS } from './names.js';
import { ACTIVATION_NAMES } from './ops/activations.js';
import { graphChecks } from './registry-checks-graph.js';
import { stepOpChecks } from './registry-checks-step.js';
import { tokenChecks } from './registry-checks-token.js';
import { allFinite, allFinite32, allFinite64 } from './registry-finite.js';

export { allFinite };
import { convDims } from './reference/conv-dims.js';
import { type Numeric, validateDims, validateFinite, validateLength } from './reference/validate.js';

/**
 * Length check plus finiteness check (the reference `validate`, with an O(n) scan fast enough for the
 * hot path). A device handle gets the length check only: its values were produced on the device by a
 * kernel whose host inputs were scanned here, and the runtime's non-finite loss check still stops a run.
 */
export function validate(
  kernel: string,
  name: string,
  data: Numeric | DeviceTensor,
  expected: number,
  layout: string,
): void {
  validateLength(kernel, name, data, expected, layout);
  if (isDeviceTensor(data)) return;
  const ok = data instanceof Float32Array || data instanceof Float64Array ? allFinite(data) : false;
  if (!ok) validateFinite(kernel, name, data);
}

function noiseInjectCheck(
  kernel: string,
  { z, sigma, rows, channels, spatial, seed, step, layer, rowOffset, copies = 1 }: KernelArgs['noise-inject'],
): void {
  validateDims(kernel, { rows, channels, spatial });
  if (!Number.isInteger(copies) || copies < 1 || rows % copies !== 0)
    throw new InvalidInputError(
      `${kernel}: copies = ${copies} for ${rows} rows; allowed: a positive integer that divides rows`,
    );
  const zRows = rows / copies;
  validate(
    kernel,
    'z',
    z,
    zRows * channels * spatial,
    `[rows / copies, channels, spatial] = [${zRows}, ${channels}, ${spatial}]`,
  );
  validate(kernel, 'sigma', sigma, channels, `[channels] = [${channels}]`);
  positiveSigma(kernel, sigma);
  counter(kernel, { seed, step, layer, rowOffset, lastRow: rowOffset + rows - 1, lastUnit: channels * spatial - 1 });
}

type Checks = { [K in KernelName]: (a: KernelArgs[K]) => void };

function positiveSigma(kernel: string, sigma: ArrayLike<number>): void {
  if (isDeviceTensor(sigma)) return;
  for (let i = 0; i < sigma.length; i++) {
    if (!(sigma[i]! > 0))
      throw new InvalidInputError(
        `${kernel}: sigma[${i}] = ${sigma[i]}; allowed: > 0. Hint: use a small positive sigma such as 0.1`,
      );
  }
}

function finiteScalars(kernel: string, scalars: Record<string, number>): void {
  for (const [name, v] of Object.entries(scalars)) {
    if (!Number.isFinite(v)) throw new InvalidInputError(`${kernel}: ${name} = ${v}; allowed: a finite number`);
  }
}

function counter(kernel: string, c: Record<string, number>): void {
  for (const [name, v] of Object.entries(c)) {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 24) {
      throw new InvalidInputError(
        `${kernel}: ${name} = ${v}; allowed: an integer in [0, 2^24) (the RNG counter range). Hint: reduce it modulo 2^24`,
      );
    }
  }
}

function matmulCheck(kernel: string, aLayout: [string, string], bLayout: [string, string]) {
  return ({ a, b, m, k, n }: KernelArgs['matmul'], scanFinite = true): void => {
    validateDims(kernel, { m, k, n });
    const dim = { m, k, n } as Record<string, number>;
    const check = scanFinite ? validate : validateLength;
    check(kernel, 'a', a, m * k, `a is ${aLayout[0]} x ${aLayout[1]} = ${dim[aLayout[0]]} x ${dim[aLayout[1]]}`);
    check(kernel, 'b', b, k * n, `b is ${bLayout[0]} x ${bLayout[1]} = ${dim[bLayout[0]]} x ${dim[bLayout[1]]}`);
  };
}

/**
 * Backends whose matmul follows IEEE-754 (JS and wasm; XNNPACK's output clamp is to +-Infinity, so at
 * worst it turns NaN into +-Infinity): there the matmul family scans its output instead of its inputs,
 * which is equivalent. Proof: if a[i, p] is NaN or +-Inf, every term a[i, p] * b[p, j] of out[i, j]
 * is NaN or +-Inf (NaN * y = NaN, Inf * 0 = NaN, Inf * y = +-Inf), and an IEEE sum with a NaN or
 * infinite term is NaN or +-Inf (x + Inf = Inf for finite x, Inf + -Inf = NaN, NaN + y = NaN), so
 * out[i, j] is non-finite for every j (n >= 1); a bad b[p, j] likewise spoils column j. A finite
 * output thus proves finite inputs; a non-finite one (finite inputs can also overflow) rescans the
 * inputs, which throws naming the first bad index as the pre-scan would, or passes. The output
 * (m x n) is usually the smallest of the three. GPU modes keep the pre-scan (shaders may assume finite
 * math), and so does `reference`, whose kernels validate their own inputs under other names (transpose).
 */
const POST_SCAN_BACKENDS: ReadonlySet<string> = new Set(['tfjs-wasm', 'webasm', 'cpu']);
const MATMULS = new Set<KernelName>(['matmul', 'matmul-at-b', 'matmul-a-bt']);

const checks: Checks = {
  matmul: matmulCheck('matmul', ['m', 'k'], ['k', 'n']),
  'matmul-at-b': matmulCheck('matmul-at-b', ['k', 'm'], ['k', 'n']),
  'matmul-a-bt': matmulCheck('matmul-a-bt', ['m', 'k'], ['n', 'k']),
  conv2d: ({ x, weights, dims: d }) => {
    convDims('conv2d', d);
    validate(
      'conv2d',
      'x',
      x,
      d.batch * d.inChannels * d.height * d.width,
      `[batch, inChannels, height, width] = [${d.batch}, ${d.inChannels}, ${d.height}, ${d.width}]`,
    );
    validate(
      'conv2d',
      'weights',
      weights,
      d.outChannels * d.inChannels * d.kernelSize ** 2,
      `[outChannels, inChannels, k, k] = [${d.outChannels}, ${d.inChannels}, ${d.kernelSize}, ${d.kernelSize}]`,
    );
  },
  'bias-activation': ({ z, bias, rows, channels, spatial, activation }) => {
    validateDims('bias-activation', { rows, channels, spatial });
    validate(
      'bias-activation',
      'z',
      z,
      rows * channels * spatial,
      `[rows, channels, spatial] = [${rows}, ${channels}, ${spatial}]`,
    );
    validate('bias-activation', 'bias', bias, channels, `[channels] = [${channels}]`);
    if (!ACTIVATIONS.includes(activation))
      throw new InvalidInputError(
        `bias-activation: activation "${String(activation)}"; allowed: ${ACTIVATIONS.join(', ')}`,
      );
  },
  'activation-backward': ({ dy, x, activation }) => {
    if (!ACTIVATION_NAMES.includes(activation))
      throw new InvalidInputError(
        `activation-backward: activation "${String(activation)}"; allowed: ${ACTIVATION_NAMES.join(', ')}`,
      );
    validate('activation-backward', 'x', x, x.length, 'any length');
    validate('activation-backward', 'dy', dy, x.length, `the length of x, ${x.length}`);
  },
  'noise-inject': (a) => noiseInjectCheck('noise-inject', a),
  'noise-inject-signs': (a) => noiseInjectCheck('noise-inject-signs', a),
  'sign-pack': ({ values }) => validate('sign-pack', 'values', values, values.length, 'any length'),
  'lr-grad-product': ({ loss, e, x, sigma, rows, outs, ins, scale }) => {
    validateDims('lr-grad-product', { rows, outs, ins });
    validate('lr-grad-product', 'loss', loss, rows, `[rows] = [${rows}]`);
    validate('lr-grad-product', 'e', e, rows * outs, `[rows, outs] = [${rows}, ${outs}]`);
    validate('lr-grad-product', 'x', x, rows * ins, `[rows, ins] = [${rows}, ${ins}]`);
    validate('lr-grad-product', 'sigma', sigma, outs, `[outs] = [${outs}]`);
    positiveSigma('lr-grad-product', sigma);
    finiteScalars('lr-grad-product', { scale });
  },
  'softmax-cross-entropy': ({ logits, labels, rows, classes }) => {
    validateDims('softmax-cross-entropy', { rows, classes });
    validate('softmax-cross-entropy', 'logits', logits, rows * classes, `[rows, classes] = [${rows}, ${classes}]`);
    if (labels.length !== rows)
      throw new InvalidInputError(
        `softmax-cross-entropy: labels has ${labels.length} entries; expected one per row (${rows})`,
      );
    const bad = labels.findIndex((l) => l < 0 || l >= classes);
    if (bad >= 0)
      throw new InvalidInputError(
        `softmax-cross-entropy: labels[${bad}] = ${labels[bad]}; allowed: an integer in 0..${classes - 1}`,
      );
  },
  'row-sum': ({ x, rows, cols }) => {
    validateDims('row-sum', { rows, cols });
    validate('row-sum', 'x', x, rows * cols, `[rows, cols] = [${rows}, ${cols}]`);
  },
  'sgd-update': ({ w, g, v, lr, momentum }) => {
    validate('sgd-update', 'w', w, w.length, 'any length');
    validate('sgd-update', 'g', g, w.length, `same length as w (${w.length})`);
    validate('sgd-update', 'v', v, w.length, `same length as w (${w.length})`);
    finiteScalars('sgd-update', { lr, momentum });
  },
  'adam-update': ({ w, g, m, v, lr, beta1, beta2, eps, t }) => {
    validate('adam-update', 'w', w, w.length, 'any length');
    for (const [name, arr] of [
      ['g', g],
      ['m', m],
      ['v', v],
    ] as const)
      validate('adam-update', name, arr, w.length, `same length as w (${w.length})`);
    finiteScalars('adam-update', { lr, beta1, beta2, eps });
    validateDims('adam-update', { t });
    if (!isDeviceTensor(v) && v.some((x) => x < 0))
      throw new InvalidInputError('adam-update: v holds a negative second moment; allowed: v >= 0');
  },
  ...graphChecks,
  ...stepOpChecks,
  ...tokenChecks,
};

/**
 * Throws InvalidInputError when the arguments of `name` do not fit its contract in names.ts. Given the
 * backend of a host-array call, a matmul-family kernel defers its finiteness scan to the output
 * (POST_SCAN_BACKENDS) and this returns the check to run on the result; otherwise null.
 */
export function registryChecks<K extends KernelName>(
  name: K,
  args: KernelArgs[K],
  hostBackend?: string,
): ((out: KernelOutputs[K]) => void) | null {
  if (hostBackend === undefined || !POST_SCAN_BACKENDS.has(hostBackend) || !MATMULS.has(name)) {
    (checks[name] as (a: KernelArgs[K]) => void)(args);
    return null;
  }
  const check = checks[name] as (a: KernelArgs['matmul'], scanFinite: boolean) => void;
  const margs = args as KernelArgs['matmul'];
  check(margs, false);
  return (out) => {
    if (!(out instanceof Float32Array ? allFinite32(out) : out instanceof Float64Array && allFinite64(out)))
      check(margs, true);
  };
}

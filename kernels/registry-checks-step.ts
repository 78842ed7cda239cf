// Argument checks of the step ops (step-op-args.ts), run by the registry before any backend: shapes
// against the dims, non-negative variances, positive sigmas, labels in range. Values are not scanned
// for finiteness: a diverged step's non-finite loss must reach the runtime, which skips that update
// (as it did when these ops were its host code). Not a kernel.
import { InvalidInputError } from '../src/errors.js';
import { isDeviceTensor } from './device-tensor.js';
import type { KernelArgs } from './names.js';
import { validateDims, validateLength as validate } from './reference/validate.js';
import type { StepOpName } from './step-op-args.js';

type Checks = { [K in StepOpName]: (a: KernelArgs[K]) => void };

/** Every value > 0; a device handle's values are not read (the checks read only its length). */
function positive(kernel: string, name: string, values: ArrayLike<number>): void {
  if (isDeviceTensor(values)) return;
  for (let i = 0; i < values.length; i++) {
    if (!(values[i]! > 0)) throw new InvalidInputError(`${kernel}: ${name}[${i}] = ${values[i]}; allowed: > 0`);
  }
}

export const stepOpChecks: Checks = {
  'batchnorm-backward': ({ dy, gamma, variance, rows, channels, spatial }) => {
    validateDims('batchnorm-backward', { rows, channels, spatial });
    validate('batchnorm-backward', 'dy', dy, rows * channels * spatial, `[rows, channels, spatial]`);
    validate('batchnorm-backward', 'gamma', gamma, channels, `[channels] = [${channels}]`);
    validate('batchnorm-backward', 'variance', variance, channels, `[channels] = [${channels}]`);
    for (let c = 0; c < channels; c++)
      if (variance[c]! < 0)
        throw new InvalidInputError(`batchnorm-backward: variance[${c}] = ${variance[c]}; allowed: >= 0`);
  },
  'loss-baseline': ({ loss, samples, copies, baseline }) => {
    validateDims('loss-baseline', { samples, copies });
    validate('loss-baseline', 'loss', loss, samples * copies, `[samples * copies] = [${samples} * ${copies}]`);
    if (!['none', 'mean', 'leave-one-out'].includes(baseline))
      throw new InvalidInputError(`loss-baseline: baseline "${baseline}"; allowed: none, mean, leave-one-out`);
  },
  'softmax-gradient': ({ logits, labels, rows, classes }) => {
    validateDims('softmax-gradient', { rows, classes });
    validate('softmax-gradient', 'logits', logits, rows * classes, `[rows, classes] = [${rows}, ${classes}]`);
    validate('softmax-gradient', 'labels', labels, rows, `[rows] = [${rows}]`);
    labels.forEach((l, r) => {
      if (!Number.isInteger(l) || l < 0 || l >= classes)
        throw new InvalidInputError(`softmax-gradient: labels[${r}] = ${l}; allowed: an integer in [0, ${classes})`);
    });
  },
  'sigma-gradient': ({ eps, loss, sigma, rows, channels, spatial, normaliser }) => {
    validateDims('sigma-gradient', { rows, channels, spatial });
    validate('sigma-gradient', 'eps', eps, rows * channels * spatial, `[rows, channels, spatial]`);
    validate('sigma-gradient', 'loss', loss, rows, `[rows] = [${rows}]`);
    validate('sigma-gradient', 'sigma', sigma, channels, `[channels] = [${channels}]`);
    positive('sigma-gradient', 'sigma', sigma);
    positive('sigma-gradient', 'normaliser', [normaliser]);
  },
};

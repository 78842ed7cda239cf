// The step ops' kernel-table entries over the float64 reference code (reference/step-ops.ts): the
// `reference` backend's, and tfjs-wasm's host kernels (float64 results, as the runtime's host code
// they replaced computed, so CPU training numbers stay as they were).
import type { KernelTable } from './names.js';
import { batchnormBackward, lossBaseline, sigmaGradient, softmaxGradient } from './reference/step-ops.js';
import type { StepOpName } from './step-op-args.js';

export const stepOpReferenceKernels: Pick<KernelTable, StepOpName> = {
  'batchnorm-backward': async (a) => batchnormBackward(a),
  'loss-baseline': async (a) => lossBaseline(a),
  'softmax-gradient': async (a) => softmaxGradient(a),
  'sigma-gradient': async (a) => sigmaGradient(a),
};

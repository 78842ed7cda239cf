// One training step on the float64 reference backend: the chosen estimator runs the (noisy) forward,
// the losses and the gradients, then the optimizer updates the parameters in place; with a learned
// sigma, sigma takes a plain gradient step too (kept above a floor so it stays > 0). Used by tests and
// the demo; the GPU runtime (src/train/runtime) comes with the GPU training issue.
import { estimate } from './estimate.js';
import type { Batch, EstimatorOptions, GradientResult, Params } from './types.js';
import type { Network } from '../models/layers.js';
import type { Optimizer } from '../train/optimizers.js';

export interface ReferenceStepOptions {
  estimator: EstimatorOptions;
  optimizer: Optimizer;
  /** Step size for learned sigma (METHOD.md 2.1); used only with estimator.learnSigma and a sigma map. */
  sigmaLearningRate?: number;
  sigmaFloor?: number;
}

export function referenceStep(
  network: Network,
  params: Params,
  batch: Batch,
  options: ReferenceStepOptions,
): GradientResult {
  const result = estimate(network, params, batch, options.estimator);
  options.optimizer.step(params, result.gradients);
  const sigma = options.estimator.sigma;
  if (options.estimator.learnSigma && typeof sigma !== 'number') {
    const rate = options.sigmaLearningRate ?? 1e-3;
    const floor = options.sigmaFloor ?? 1e-3;
    for (const [name, g] of result.gradients) {
      const s = sigma.get(name);
      if (!s || !g.sigma) continue;
      for (let i = 0; i < s.length; i++) s[i] = Math.max(floor, s[i]! - rate * g.sigma[i]!);
    }
  }
  return result;
}

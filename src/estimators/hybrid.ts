// The hybrids' oracle (Hybrid: BP and LR; A-Hybrid: BP and ALR): exact BP gradients for the BP layers
// (options.bpLayers), and for the others the LR (or ALR) estimate of one noisy pass in which only
// those layers are perturbed; the BP layers then compute on the noisy rows without noise of their own.
import { paramLayers, type Network } from '../models/layers.js';
import { bp } from './bp.js';
import { lr } from './lr.js';
import type { Batch, EstimatorOptions, GradientResult, LayerGradient, Params } from './types.js';

export function hybrid(network: Network, params: Params, batch: Batch, options: EstimatorOptions): GradientResult {
  const names = paramLayers(network.layers).map((l) => l.name);
  const bpLayers = new Set(options.bpLayers ?? names.slice(-1));
  const exact = bp(network, params, batch, options.floatBytes);
  const lrMethod = options.method === 'a-hybrid' ? 'alr' : 'lr';
  const noisyLayers = names.filter((n) => !bpLayers.has(n));
  const estimated = lr(network, params, batch, { ...options, method: lrMethod, noisyLayers });
  const gradients = new Map<string, LayerGradient>(
    names.map((n) => [n, (bpLayers.has(n) ? exact : estimated).gradients.get(n)!]),
  );
  // The mean over the step's two passes (the clean BP pass and the noisy one), as layer-wise LR averages its passes.
  const meanLoss = (exact.meanLoss + estimated.meanLoss) / 2;
  return { method: options.method, gradients, meanLoss, kept: estimated.kept };
}

// ALR: the LR estimator with the noise kept as sign bits (METHOD.md 3). A thin entry point over lr().
import type { Network } from '../models/layers.js';
import { lr } from './lr.js';
import type { Batch, EstimatorOptions, GradientResult, Params } from './types.js';

export function alr(
  network: Network,
  params: Params,
  batch: Batch,
  options: Omit<EstimatorOptions, 'method'>,
): GradientResult {
  return lr(network, params, batch, { ...options, method: 'alr' });
}

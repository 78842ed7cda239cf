// AES: the ES estimator with weight noise kept as sign bits, scaled by sqrt(pi/2) (METHOD.md 2.4). A thin entry point over es().
import type { Network } from '../models/layers.js';
import { es } from './es.js';
import type { Batch, EstimatorOptions, GradientResult, Params } from './types.js';

export function aes(
  network: Network,
  params: Params,
  batch: Batch,
  options: Omit<EstimatorOptions, 'method'>,
): GradientResult {
  return es(network, params, batch, { ...options, method: 'aes' });
}

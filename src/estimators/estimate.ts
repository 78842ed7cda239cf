// One entry point for every gradient method: dispatches on options.method (exhaustively).
import type { Network } from '../models/layers.js';
import { bp } from './bp.js';
import { es } from './es.js';
import { hybrid } from './hybrid.js';
import { lr } from './lr.js';
import type { Batch, EstimatorOptions, GradientResult, Params } from './types.js';

export function estimate(network: Network, params: Params, batch: Batch, options: EstimatorOptions): GradientResult {
  switch (options.method) {
    case 'bp':
      return bp(network, params, batch, options.floatBytes);
    case 'lr':
    case 'alr':
      return lr(network, params, batch, options);
    case 'es':
    case 'aes':
      return es(network, params, batch, options);
    case 'hybrid':
    case 'a-hybrid':
      return hybrid(network, params, batch, options);
    default:
      return options.method satisfies never;
  }
}

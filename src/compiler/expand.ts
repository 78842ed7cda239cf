// Pass 1, expand: (network, method, K, batch) -> the training-step graph, before any
// optimisation. LR/ALR run every layer on N*K rows here (the fold pass removes the redundancy).
// Options are assumed validated (see compile-options).
import type { Graph } from '../ir/types.js';
import type { Network } from '../models/layers.js';
import type { ExpandOptions } from './expand-common.js';
import { expandBp } from './expand-bp.js';
import { expandEs } from './expand-es.js';
import { expandLr } from './expand-lr.js';

export type { ExpandOptions } from './expand-common.js';

export function expand(network: Network, options: ExpandOptions): Graph {
  switch (options.method) {
    case 'bp':
      return expandBp(network, options);
    case 'lr':
    case 'alr':
      return expandLr(network, options);
    case 'es':
    case 'aes':
      return expandEs(network, options);
    default:
      return options.method satisfies never;
  }
}

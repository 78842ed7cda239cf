// Pass 1, expand: (network, method, K, batch) -> the training-step graph, before any
// optimisation. Each method's expander is named by its registry entry (src/compiler/methods); the
// finished graph declares its ports (declare-ports.ts).
// Options are assumed validated (see compile-options).
import type { Graph } from '../ir/types.js';
import type { Network } from '../models/layers.js';
import type { ExpandOptions } from './expand-common.js';
import { declarePorts } from './declare-ports.js';
import { methodOf } from './methods/registry.js';

export type { ExpandOptions } from './expand-common.js';

export function expand(network: Network, options: ExpandOptions): Graph {
  return declarePorts(methodOf(options.method).expand(network, options));
}

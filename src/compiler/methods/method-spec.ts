// A gradient method in full: its rules (rules.ts), its graph expansion and its float64 oracle
// (src/estimators). One file per method declares one; registry.ts lists them.
import type { Graph } from '../../ir/types.js';
import type { Network } from '../../models/layers.js';
import type { Batch, EstimatorOptions, GradientResult, Params } from '../../estimators/types.js';
import type { ExpandOptions } from '../expand-common.js';
import type { MethodRules } from './rules.js';

export interface MethodSpec extends MethodRules {
  /** (network, options) -> the training-step graph, before any optimisation. */
  expand(network: Network, options: ExpandOptions): Graph;
  /** The float64 oracle the runtime's and the graph's gradients are checked against. */
  estimate(network: Network, params: Params, batch: Batch, options: EstimatorOptions): GradientResult;
}

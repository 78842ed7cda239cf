// What the nodes of every noisy method share, method-agnostic: the sign scale sqrt(pi/2), the
// switches (baselines, ALR encodings), the learned-sigma and optimizer-state tensor names. Which
// // method uses what is in the method registry (src/compiler/methods). The runtime's handlers read the
// nodes, not the method. The float64 estimators (src/estimators) keep their own copies on purpose:
// they are the independent oracle the bridge tests compare the graph against.
import type { Baseline } from './types.js';

/** E|eps| = sqrt(2/pi) for a standard normal: reading noise by its sign alone needs this factor back. */
export const SIGN_SCALE = Math.sqrt(Math.PI / 2);

export type { Baseline, RowLayout } from './types.js';
export type AlrEncoding = 'sign-noise' | 'sign-signal';

/** A run's method switches (METHOD.md): how losses are baselined and read, how noise is drawn, where sigma comes from. */
export interface MethodSwitches {
  baseline: Baseline;
  encoding: AlrEncoding;
  antithetic: boolean;
  learnedSigma: boolean;
}

export const defaultSwitches: MethodSwitches = {
  baseline: 'mean',
  encoding: 'sign-noise',
  antithetic: false,
  learnedSigma: false,
};

/** Compile-option switches of a step that chooses only whether sigma is learned (the others at their defaults). */
export function learnedSigmaSwitches(learnedSigma: boolean): { switches?: MethodSwitches } {
  return learnedSigma ? { switches: { ...defaultSwitches, learnedSigma } } : {};
}

/** The tensor of a layer's learned sigma (one value per output unit or channel); a node reading it uses it instead of the run's scalar. */
export function sigmaTensorId(layer: string): string {
  return `${layer}.sigma`;
}

/** The optimizer state of an update's values: `<layer>.opt` for the parameters, `<layer>.sigma.opt` for learned sigma. */
export function optimizerStateId(layer: string, target: 'params' | 'sigma' = 'params'): string {
  return target === 'params' ? `${layer}.opt` : `${sigmaTensorId(layer)}.opt`;
}

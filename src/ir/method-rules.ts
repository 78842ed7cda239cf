// The gradient methods' rules the compiler writes onto a step graph's nodes, in one place: the ALR/AES
// sign scale sqrt(pi/2), the baselines, the ALR encodings, the loss-row layouts, the learned-sigma
// tensor, and which values a node carries for them. The runtime's handlers read the nodes, not the method. The float64
// estimators (src/estimators) keep their own copies on purpose: they are the independent oracle the
// bridge tests compare the graph against.
import type { Baseline, Method, RowLayout } from './types.js';

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

export function isWeightSpaceMethod(method: Method): boolean {
  return method === 'es' || method === 'aes';
}

export function rowLayoutOf(method: Method): RowLayout {
  return isWeightSpaceMethod(method) ? 'copy-major' : 'sample-major';
}

/** The factor on a noise reading: sqrt(pi/2) where only signs of the noise are read (ALR sign-noise, AES). */
export function noiseScaleOf(method: Method, s: MethodSwitches): number {
  return method === 'aes' || (method === 'alr' && s.encoding === 'sign-noise') ? SIGN_SCALE : 1;
}

/** What a Loss node emits: BP the loss gradient; the others the baselined loss, or its signs (ALR sign-signal). */
export function lossEmitsOf(method: Method, s: MethodSwitches): 'gradient' | 'loss' | 'loss-signs' {
  if (method === 'bp') return 'gradient';
  return method === 'alr' && s.encoding === 'sign-signal' ? 'loss-signs' : 'loss';
}

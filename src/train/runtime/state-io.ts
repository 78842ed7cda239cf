// The runtime state a checkpoint holds, as named float64 arrays: parameters, optimizer state, learned
// sigma, and under staleness 1 the gradient computed but not yet applied. Import is the inverse;
// arrays a checkpoint lacks keep their current values (runs saved before a field existed resume).
import type { LearnedSigma } from './learned-sigma.js';
import type { Params } from './step-types.js';

export interface RuntimeState {
  params: Params;
  optimizerState: Map<string, Float64Array>;
  sigma: LearnedSigma | undefined;
  /** Staleness 1: the last step's gradients (and sigma gradients), applied by the next step. */
  pending: { gradients: Params; sigmaGradients?: Record<string, Float64Array> } | undefined;
}

export function exportArrays(state: RuntimeState): Record<string, Float64Array> {
  const arrays: Record<string, Float64Array> = {};
  for (const [name, p] of Object.entries(state.params)) {
    arrays[`param.${name}.weights`] = p.weights;
    arrays[`param.${name}.biases`] = p.biases;
  }
  for (const [name, s] of state.optimizerState) arrays[`optim.${name}`] = s;
  if (state.sigma) Object.assign(arrays, state.sigma.exportState());
  for (const [name, g] of Object.entries(state.pending?.gradients ?? {})) {
    arrays[`pending.${name}.weights`] = g.weights;
    arrays[`pending.${name}.biases`] = g.biases;
  }
  for (const [name, g] of Object.entries(state.pending?.sigmaGradients ?? {})) arrays[`pending-sigma.${name}`] = g;
  return arrays;
}

function pendingOf(arrays: Record<string, Float64Array>, params: Params): RuntimeState['pending'] {
  const names = Object.keys(params);
  if (!names.every((name) => arrays[`pending.${name}.weights`] && arrays[`pending.${name}.biases`])) return undefined;
  const layer = (n: string) => ({ weights: arrays[`pending.${n}.weights`]!, biases: arrays[`pending.${n}.biases`]! });
  const gradients: Params = Object.fromEntries(names.map((n) => [n, layer(n)]));
  const sigmaEntries = Object.entries(arrays).filter(([key]) => key.startsWith('pending-sigma.'));
  const sigmaGradients = Object.fromEntries(sigmaEntries.map(([k, v]) => [k.slice('pending-sigma.'.length), v]));
  const sigma = sigmaEntries.length > 0 ? { sigmaGradients } : {};
  return { gradients, ...sigma };
}

export function importArrays(state: RuntimeState, arrays: Record<string, Float64Array>): void {
  for (const [name, p] of Object.entries(state.params)) {
    p.weights = arrays[`param.${name}.weights`] ?? p.weights;
    p.biases = arrays[`param.${name}.biases`] ?? p.biases;
  }
  state.optimizerState.clear();
  for (const [key, value] of Object.entries(arrays)) {
    if (key.startsWith('optim.')) state.optimizerState.set(key.slice('optim.'.length), value);
  }
  state.sigma?.importState(arrays);
  state.pending = pendingOf(arrays, state.params);
}

// A micro-batched step's result from its micro-batches' results (the micro-batches and their rows are
// the step graph's: src/ir/step-instances.ts). Every method's gradient is a mean over the micro-batch's
// samples, so the step's gradient is the mean of the micro-batches' gradients weighted by their sample
// counts: the whole batch's gradient, up to rounding (the accumulation the graph declares).
import type { KeptBytes, Params, StepResult } from './step-types.js';

function weightedSum(arrays: readonly Float64Array[], weights: readonly number[]): Float64Array {
  if (arrays.length === 1) return arrays[0]!;
  const out = new Float64Array(arrays[0]!.length);
  arrays.forEach((a, i) => {
    for (let j = 0; j < a.length; j++) out[j]! += weights[i]! * a[j]!;
  });
  return out;
}

type Arrays = Record<string, Float64Array>;

function combineRecords(records: readonly Arrays[], weights: readonly number[]): Arrays {
  const parts = (name: string): Float64Array[] => records.map((r) => r[name]!);
  const combined = (name: string): Float64Array => weightedSum(parts(name), weights);
  return Object.fromEntries(Object.keys(records[0]!).map((name) => [name, combined(name)]));
}

/** The step's result from its parts'; kept bytes are the largest part's per class (one part is live at a time). */
export function combineResults(results: readonly StepResult[], samples: readonly number[]): StepResult {
  const total = samples.reduce((a, b) => a + b, 0);
  const weights = samples.map((s) => s / total);
  const combined = (pick: (r: StepResult) => Float64Array): Float64Array => weightedSum(results.map(pick), weights);
  const gradients: Params = {};
  for (const name of Object.keys(results[0]!.gradients)) {
    gradients[name] = {
      weights: combined((r) => r.gradients[name]!.weights),
      biases: combined((r) => r.gradients[name]!.biases),
    };
  }
  const meanLoss = results.reduce((s, r, i) => s + weights[i]! * r.meanLoss, 0);
  const sigmaParts = results.map((r) => r.sigmaGradients).filter((g): g is Arrays => g !== undefined);
  const sigma = sigmaParts.length === results.length ? { sigmaGradients: combineRecords(sigmaParts, weights) } : {};
  const keptBytes = { ...results[0]!.keptBytes };
  for (const r of results) {
    for (const cls of Object.keys(keptBytes) as (keyof KeptBytes)[]) {
      keptBytes[cls] = Math.max(keptBytes[cls], r.keptBytes[cls]);
    }
  }
  return { meanLoss, gradients, keptBytes, ...sigma };
}

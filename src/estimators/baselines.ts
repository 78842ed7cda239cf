// Per-sample loss baselines (METHOD.md 2.3): rows are sample-major (row = n*K + k). 'mean' subtracts
// the sample's mean over its K copies (tiny bias of order 1/K); 'leave-one-out' subtracts the mean of
// the other K-1 copies, which keeps LR exactly unbiased because that baseline is independent of the
// copy's own noise.
import { InvalidInputError } from '../errors.js';
import type { Baseline } from './types.js';

export function baselines(losses: Float64Array, samples: number, copies: number, kind: Baseline): Float64Array {
  if (kind === 'none') return losses.slice();
  if (kind === 'leave-one-out' && copies < 2) {
    throw new InvalidInputError(
      `baseline leave-one-out: copies K = ${copies}; allowed: K >= 2. Hint: use baseline 'none' for K = 1`,
    );
  }
  const out = new Float64Array(losses.length);
  for (let n = 0; n < samples; n++) {
    let sum = 0;
    for (let k = 0; k < copies; k++) sum += losses[n * copies + k]!;
    for (let k = 0; k < copies; k++) {
      const l = losses[n * copies + k]!;
      switch (kind) {
        case 'mean':
          out[n * copies + k] = l - sum / copies;
          break;
        case 'leave-one-out':
          out[n * copies + k] = l - (sum - l) / (copies - 1);
          break;
        default:
          kind satisfies never;
      }
    }
  }
  return out;
}

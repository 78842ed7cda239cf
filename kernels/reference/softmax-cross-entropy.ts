// Float64 reference softmax cross-entropy, one loss per row (no averaging: LR needs every row's loss).
// Returns the probabilities too, since BP's logit gradient is (p - onehot(label)) per row.
import { InvalidInputError } from '../../src/errors.js';
import { validate, validateDims } from './validate.js';

export function softmaxCrossEntropy(
  logits: Float64Array,
  labels: Int32Array | readonly number[],
  rows: number,
  classes: number,
): { losses: Float64Array; probabilities: Float64Array } {
  validateDims('softmaxCrossEntropy', { rows, classes });
  validate('softmaxCrossEntropy', 'logits', logits, rows * classes, `[rows, classes] = [${rows}, ${classes}]`);
  if (labels.length !== rows) {
    throw new InvalidInputError(
      `softmaxCrossEntropy: labels has ${labels.length} entries; expected one per row (${rows})`,
    );
  }
  const losses = new Float64Array(rows);
  const probabilities = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const label = labels[r]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new InvalidInputError(
        `softmaxCrossEntropy: labels[${r}] = ${label}; allowed: an integer in 0..${classes - 1}`,
      );
    }
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[r * classes + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[r * classes + c]! - max);
    for (let c = 0; c < classes; c++) probabilities[r * classes + c] = Math.exp(logits[r * classes + c]! - max) / sum;
    losses[r] = max + Math.log(sum) - logits[r * classes + label]!;
  }
  return { losses, probabilities };
}

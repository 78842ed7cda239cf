// The softmax cross-entropy loss and its gradient for tfjs-wasm's resident BP step, computed in JS on
// the logits' and labels' wasm memory (tfjs-heap.ts): one loop per row in float64, each value rounded
// once to float32, where the TF.js ops took about 30 kernel calls per step for 64 x 10 logits. The
// host kernels compute the same float64 values (reference/softmax-cross-entropy), so the results
// match them to float32 rounding. Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { DeviceLossArgs } from '../device-ops.js';
import { heapMap } from './tfjs-heap.js';

type Tf = typeof TfCore;
type Dims = Pick<DeviceLossArgs, 'rows' | 'classes'>;

/** Row r's label, checked against the class count. */
function labelAt(labels: Float32Array, r: number, classes: number): number {
  const label = labels[r]!;
  if (!Number.isInteger(label) || label < 0 || label >= classes)
    throw new Error(`softmax-cross-entropy: row ${r} has label ${label}; labels are integers in [0, ${classes})`);
  return label;
}

/** A row's maximum and sum of exp(logit - maximum), as reference/softmax-cross-entropy.ts. */
function rowStats(x: Float32Array, at: number, classes: number): { max: number; sum: number } {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, x[at + c]!);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(x[at + c]! - max);
  return { max, sum };
}

/** Each row's -log softmax(logits)[label], or undefined off the wasm backend. */
export function heapLoss(tf: Tf, logits: TfCore.Tensor, labels: TfCore.Tensor, { rows, classes }: Dims) {
  return heapMap(tf, [logits, labels], [rows], (out, [x, y]) => {
    for (let r = 0; r < rows; r++) {
      const { max, sum } = rowStats(x!, r * classes, classes);
      out[r] = max + Math.log(sum) - x![r * classes + labelAt(y!, r, classes)]!;
    }
  });
}

/** (softmax(logits[r]) - onehot(labels[r])) / rows, flat, or undefined off the wasm backend. */
export function heapLossGradient(tf: Tf, logits: TfCore.Tensor, labels: TfCore.Tensor, { rows, classes }: Dims) {
  return heapMap(tf, [logits, labels], [rows * classes], (out, [x, y]) => {
    for (let r = 0; r < rows; r++) {
      const at = r * classes;
      const { max, sum } = rowStats(x!, at, classes);
      const label = labelAt(y!, r, classes);
      for (let c = 0; c < classes; c++)
        out[at + c] = (Math.exp(x![at + c]! - max) / sum - (c === label ? 1 : 0)) / rows;
    }
  });
}

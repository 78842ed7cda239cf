// Batch-norm's per-channel sums for tfjs-wasm's resident BP step as JS loops over the tensors' wasm
// memory (tfjs-heap.ts), in float64 and rounded once, as the reference sums them: the batch
// statistics (means, then biased variances: two passes) and the scale and shift gradients (sums of
// dy * x-hat and of dy in one pass). TF.js reduced [rows, channels, spatial] over axes 0 and 2 by
// transposing first, then ran the broadcast ops around it: 5 to 8 kernel calls over the whole
// activation per sum. Undefined off the wasm backend (the caller runs its TF.js ops). Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { ChannelDims } from '../device-ops.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';
import { heapMap } from './tfjs-heap.js';

type Tf = typeof TfCore;

/** [2 * channels]: per channel means, then biased variances, or undefined off the wasm backend. */
export function heapChannelStats(tf: Tf, x: TfCore.Tensor, d: ChannelDims): TfCore.Tensor | undefined {
  const count = d.rows * d.spatial;
  return heapMap(tf, [x], [2 * d.channels], (out, [xs]) => {
    for (let c = 0; c < d.channels; c++) {
      let sum = 0;
      for (let r = 0; r < d.rows; r++)
        for (let at = (r * d.channels + c) * d.spatial, end = at + d.spatial; at < end; at++) sum += xs![at]!;
      const mean = sum / count;
      let squares = 0;
      for (let r = 0; r < d.rows; r++)
        for (let at = (r * d.channels + c) * d.spatial, end = at + d.spatial; at < end; at++)
          squares += (xs![at]! - mean) * (xs![at]! - mean);
      out[c] = mean;
      out[d.channels + c] = squares / count;
    }
  });
}

/** scale * [per channel sums of dy * x-hat, then of dy], x-hat from x and stats [means, variances]; undefined off the wasm backend. */
export function heapBatchnormParamGradient(
  tf: Tf,
  dy: TfCore.Tensor,
  x: TfCore.Tensor,
  stats: TfCore.Tensor,
  d: ChannelDims & { scale: number },
): TfCore.Tensor | undefined {
  return heapMap(tf, [dy, x, stats], [2 * d.channels], (out, [g, xs, st]) => {
    for (let c = 0; c < d.channels; c++) {
      const [mean, inv] = [st![c]!, 1 / Math.sqrt(st![d.channels + c]! + batchnormEpsilon)];
      let [weighted, plain] = [0, 0];
      for (let r = 0; r < d.rows; r++)
        for (let at = (r * d.channels + c) * d.spatial, end = at + d.spatial; at < end; at++) {
          weighted += g![at]! * ((xs![at]! - mean) * inv);
          plain += g![at]!;
        }
      out[c] = d.scale * weighted;
      out[d.channels + c] = d.scale * plain;
    }
  });
}

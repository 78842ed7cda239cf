// Mean softmax cross-entropy of a clean (noise-free) forward pass, with optional frozen batchnorm
// statistics: the objective BP differentiates and the finite-difference tests perturb.
import { softmaxCrossEntropy, type BatchnormStats } from '../../kernels/reference/index.js';
import type { Network } from '../models/layers.js';
import { forward } from './forward.js';
import type { Batch, Params } from './types.js';

export function networkLoss(
  network: Network,
  params: Params,
  batch: Batch,
  bnStats?: Map<string, BatchnormStats>,
): number {
  const { logits } = forward({ network, params, input: batch.input, rows: batch.size, bnStats, keep: 'none' });
  const { losses } = softmaxCrossEntropy(logits, batch.labels, batch.size, network.classes);
  return losses.reduce((a, b) => a + b, 0) / batch.size;
}

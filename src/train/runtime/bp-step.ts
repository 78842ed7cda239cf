// Backpropagation on kernels: the clean forward keeps every layer's input, then the exact reverse
// chain (weight gradient dZ^T X, input gradient dZ W, activation derivative on the host).
import { cleanForward } from './forward.js';
import { activationBackward, columnSums, mean, softmaxGradient, toF64 } from './host-ops.js';
import { emptyKeptBytes, keptFloatBytes, type Batch, type Params, type StepContext, type StepResult } from './step-types.js';

export async function bpStep(ctx: StepContext, batch: Batch): Promise<StepResult> {
  const { kernels, layers, params } = ctx;
  const rows = batch.samples;
  const activations = await cleanForward(kernels, layers, params, batch.x, rows);
  const logits = activations.at(-1)!;
  const classes = layers.at(-1)!.outFeatures;
  const losses = await kernels['softmax-cross-entropy']({ logits, labels: batch.labels, rows, classes });
  const bytes = emptyKeptBytes();
  // Kept for the backward chain: each layer's input, plus each activation's input (== output here).
  for (const layer of layers) bytes.activation += activations[layer.index]!.length * keptFloatBytes * (layer.activation === 'none' ? 1 : 2);
  bytes.loss = rows * keptFloatBytes;
  const gradients: Params = {};
  let dz = softmaxGradient(logits, batch.labels, rows, classes);
  for (const layer of [...layers].reverse()) {
    const x = activations[layer.index]!;
    const weights = toF64(await kernels['matmul-at-b']({ a: dz, b: x, m: layer.outFeatures, k: rows, n: layer.inFeatures }));
    gradients[layer.name] = { weights, biases: columnSums(dz, rows, layer.outFeatures) };
    if (layer.index === 0) break;
    const dx = await kernels.matmul({ a: dz, b: params[layer.name]!.weights, m: rows, k: layer.outFeatures, n: layer.inFeatures });
    dz = activationBackward(dx, x, layers[layer.index - 1]!.activation);
  }
  return { meanLoss: mean(losses), gradients, keptBytes: bytes };
}

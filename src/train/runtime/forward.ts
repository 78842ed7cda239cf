// The clean (noise-free) forward pass on kernels: one linear product and one fused bias+activation
// per layer. Used by BP, by the noise-free prefix of layer-wise injection, by ES's per-copy passes
// (with perturbed parameters) and by evaluation.
import type { KernelTable } from '../../../kernels/names.js';
import type { DenseLayer } from './dense-stack.js';
import { toF64 } from './host-ops.js';
import type { LayerParams, Params } from './step-types.js';

/** z = x W^T (no bias), rows x outFeatures. */
export async function linear(kernels: KernelTable, layer: DenseLayer, p: LayerParams, x: Float64Array, rows: number): Promise<Float64Array> {
  return toF64(await kernels['matmul-a-bt']({ a: x, b: p.weights, m: rows, k: layer.inFeatures, n: layer.outFeatures }));
}

export async function biasActivation(kernels: KernelTable, layer: DenseLayer, p: LayerParams, z: Float64Array, rows: number): Promise<Float64Array> {
  return toF64(await kernels['bias-activation']({ z, bias: p.biases, rows, channels: layer.outFeatures, spatial: 1, activation: layer.activation }));
}

/** Every layer's input and the logits: activations[l] is the input of layer l, activations[L] the logits. */
export async function cleanForward(kernels: KernelTable, layers: DenseLayer[], params: Params, x: Float64Array, rows: number, upTo = layers.length): Promise<Float64Array[]> {
  const activations = [x];
  for (const layer of layers.slice(0, upTo)) {
    const p = params[layer.name]!;
    const z = await linear(kernels, layer, p, activations.at(-1)!, rows);
    activations.push(await biasActivation(kernels, layer, p, z, rows));
  }
  return activations;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
}

/** Mean loss and accuracy over a split, in chunks so memory stays bounded. */
export async function evaluate(kernels: KernelTable, layers: DenseLayer[], params: Params, features: Float32Array, labels: Uint8Array, count: number, chunk = 2000): Promise<Evaluation> {
  const width = layers[0]!.inFeatures;
  const classes = layers.at(-1)!.outFeatures;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < count; start += chunk) {
    const rows = Math.min(chunk, count - start);
    const x = Float64Array.from(features.subarray(start * width, (start + rows) * width));
    const logits = (await cleanForward(kernels, layers, params, x, rows)).at(-1)!;
    const y = Int32Array.from(labels.subarray(start, start + rows));
    const losses = await kernels['softmax-cross-entropy']({ logits, labels: y, rows, classes });
    for (let r = 0; r < rows; r++) {
      lossSum += losses[r]!;
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[r * classes + c]! > logits[r * classes + best]!) best = c;
      if (best === y[r]) correct++;
    }
  }
  return { loss: lossSum / count, accuracy: correct / count };
}

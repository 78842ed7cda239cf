// The starting parameters of a run: an ONNX --model starts from its initializers (the layers and
// weights of src/models/importers/onnx-network.ts) unless `init` is 'random'; every other model, and
// --init random, starts from the runtime's seeded initialisation (undefined here).
import type { Params } from './runtime/step-types.js';

export async function startParams(model: string, init?: 'random'): Promise<{ initialParams?: Params }> {
  if (init === 'random' || !model.toLowerCase().endsWith('.onnx')) return {};
  const { loadOnnxNetwork } = await import('../models/importers/onnx-network.js');
  return { initialParams: Object.fromEntries(loadOnnxNetwork(model).weights) };
}

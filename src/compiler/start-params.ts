// The starting parameters of a run: an ONNX --model starts from its initializers (the layers and
// weights of src/models/importers/onnx-network.ts) unless `init` is 'random'; every other model, and
// --init random, starts from the runtime's seeded initialisation (undefined here). In src/compiler, beside
// the network loading, so that src/train reads no network description.

/** Weights then biases of each parametrised layer, by name (the runtime's Params). */
type StartParams = Record<string, { weights: Float64Array; biases: Float64Array }>;

export async function startParams(model: string, init?: 'random'): Promise<{ initialParams?: StartParams }> {
  if (init === 'random' || !model.toLowerCase().endsWith('.onnx')) return {};
  const { loadOnnxNetwork } = await import('../models/importers/onnx-network.js');
  return { initialParams: Object.fromEntries(loadOnnxNetwork(model).weights) };
}

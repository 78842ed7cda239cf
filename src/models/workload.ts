// The workload of a network as a user checks it against their own numbers: parameters, parametrised
// layers and the exact multiply-accumulates of one sample's forward pass: every linear layer (per
// token on a sequence), conv2d layer and attention's two matmuls (Q K^T and probabilities times V).
// Normalisation, activations, pooling and token ops are elementwise work, not MACs.
import { branchLayers, elementCount, type Layer, type Network, paramLayers, parameterCount } from './layers.js';
import { inferShapes } from './shapes.js';
import { attentionMacs } from './transformer-layers.js';

export interface Workload {
  parameters: number;
  paramLayers: number;
  forwardMacsPerSample: number;
}

type Shapes = Map<string, { input: readonly number[]; output: readonly number[] }>;

/** Forward multiply-accumulates of one sample in one layer (residual bodies included). */
export function layerMacs(layer: Layer, shapes: Shapes): number {
  const output = shapes.get(layer.name)?.output ?? [];
  switch (layer.kind) {
    case 'linear':
      return parameterCount(layer).weights * (elementCount(output) / layer.outFeatures);
    case 'conv2d':
      return parameterCount(layer).weights * (elementCount(output) / layer.outChannels);
    case 'attention':
      return attentionMacs(output[0]!, output[1]!);
    case 'residual':
      return branchLayers(layer).reduce((sum, l) => sum + layerMacs(l, shapes), 0);
    default:
      return 0;
  }
}

export function workloadOf(network: Network): Workload {
  const layers = paramLayers(network.layers);
  const shapes = inferShapes(network);
  const macs = network.layers.reduce((sum, layer) => sum + layerMacs(layer, shapes), 0);
  const parameters = layers.reduce((s, l) => s + parameterCount(l).weights + parameterCount(l).biases, 0);
  return { parameters, paramLayers: layers.length, forwardMacsPerSample: macs };
}

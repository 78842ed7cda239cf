// The workload of a network as a user checks it against their own numbers: parameters, parametrised
// layers and the exact multiply-accumulates of one sample's forward pass (every linear and conv2d
// layer; batch norm, activations and pooling are elementwise work, not MACs).
import { elementCount, type Network, paramLayers, parameterCount } from './layers.js';
import { inferShapes } from './shapes.js';

export interface Workload {
  parameters: number;
  paramLayers: number;
  forwardMacsPerSample: number;
}

export function workloadOf(network: Network): Workload {
  const layers = paramLayers(network.layers);
  const shapes = inferShapes(network);
  const macs = layers.reduce((sum, layer) => {
    if (layer.kind === 'batchnorm') return sum;
    const output = shapes.get(layer.name)?.output ?? [];
    return sum + parameterCount(layer).weights * (elementCount(output) / outputUnits(output));
  }, 0);
  const parameters = layers.reduce((s, l) => s + parameterCount(l).weights + parameterCount(l).biases, 0);
  return { parameters, paramLayers: layers.length, forwardMacsPerSample: macs };
}

/** Output units that share one weight set: channels for an image, features for a vector. */
function outputUnits(output: readonly number[]): number {
  return output[0] ?? 1;
}

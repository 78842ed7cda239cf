// The dense view of a network the training runtime executes: linear layers, each followed by its
// activation (relu, tanh or none for the logits). Conv nets are not executed by this runtime yet:
// they are refused with an UnsupportedKernelError that says what is supported.
import { UnsupportedKernelError } from '../../errors.js';
import type { Network } from '../../models/layers.js';

export interface DenseLayer {
  name: string;
  /** Index among the network's parametrised layers: the `layer` word of the noise counter. */
  index: number;
  inFeatures: number;
  outFeatures: number;
  activation: 'none' | 'relu' | 'tanh';
}

export function denseStack(network: Network): DenseLayer[] {
  const out: DenseLayer[] = [];
  for (const layer of network.layers) {
    switch (layer.kind) {
      case 'linear':
        out.push({ name: layer.name, index: out.length, inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, activation: 'none' });
        break;
      case 'relu':
      case 'tanh': {
        const last = out.at(-1);
        if (!last || last.activation !== 'none') throw unsupported(network, layer.name, `${layer.kind} not directly after a linear layer`);
        last.activation = layer.kind;
        break;
      }
      case 'flatten':
        break;
      case 'conv2d':
      case 'batchnorm':
      case 'maxpool':
      case 'avgpool':
      case 'residual':
        throw unsupported(network, layer.name, layer.kind);
      default:
        return layer satisfies never;
    }
  }
  if (out.at(-1)?.activation !== 'none') throw unsupported(network, out.at(-1)?.name ?? '?', 'an activation on the logits');
  return out;
}

function unsupported(network: Network, layer: string, found: string): UnsupportedKernelError {
  return new UnsupportedKernelError(
    `training runtime: network ${network.name}, layer ${layer}: found ${found}; supported: linear layers with relu/tanh between them. Hint: train --model mlp (conv nets run in the simulator, not yet in the runtime)`,
  );
}

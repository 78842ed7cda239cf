// Network builders: mlp, a small cnn, resnet5 and resnet9. Input shape and class count are
// parameters (CIFAR-style 3x32x32 / 10 classes by default for the conv nets), so the same builders
// serve MNIST's 1x28x28. Residual nets carry batch normalisation as the standard architectures do.
import { InvalidInputError } from '../errors.js';
import type { ActivationName } from '../../kernels/ops/activations.js';
import type { Layer, Network, Shape } from './layers.js';
import { inferShapes, sequenceOutputShape } from './shapes.js';

export interface ConvNetOptions {
  inputShape?: Shape;
  classes?: number;
  batchNorm?: boolean;
}

const CIFAR: Shape = [3, 32, 32];

/** Multi-layer perceptron; widths[0] is the input size, the last width the class count. */
export function mlp(widths: readonly number[], activation: ActivationName = 'relu'): Network {
  if (widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new InvalidInputError(
      `mlp widths [${widths.join(', ')}]: need at least two positive integers (input, ..., classes)`,
    );
  }
  const layers: Layer[] = [];
  for (let i = 1; i < widths.length; i++) {
    layers.push({ kind: 'linear', name: `fc${i}`, inFeatures: widths[i - 1]!, outFeatures: widths[i]! });
    if (i < widths.length - 1) layers.push({ kind: activation, name: `${activation}${i}` });
  }
  return checked({ name: `mlp-${widths.join('-')}`, inputShape: [widths[0]!], classes: widths.at(-1)!, layers });
}

/** conv + (batchnorm) + relu, the unit every conv net here is made of. */
function convUnit(name: string, inChannels: number, outChannels: number, batchNorm: boolean, stride = 1): Layer[] {
  return [
    { kind: 'conv2d', name, inChannels, outChannels, kernelSize: 3, stride, padding: 1 },
    ...(batchNorm ? [{ kind: 'batchnorm', name: `${name}.bn`, channels: outChannels } as const] : []),
    { kind: 'relu', name: `${name}.relu` },
  ];
}

/** Pools over the whole remaining spatial extent, then flattens and classifies. */
function head(layers: Layer[], inputShape: Shape, classes: number, pool: 'maxpool' | 'avgpool'): Layer[] {
  const [channels, height] = sequenceOutputShape(layers, inputShape);
  return [
    ...layers,
    { kind: pool, name: 'pool', size: height!, stride: height! },
    { kind: 'flatten', name: 'flatten' },
    { kind: 'linear', name: 'fc', inFeatures: channels!, outFeatures: classes },
  ];
}

/** Two conv layers with max pooling and a linear classifier. */
export function cnn(options: ConvNetOptions = {}): Network {
  const inputShape = options.inputShape ?? CIFAR;
  const classes = options.classes ?? 10;
  const bn = options.batchNorm ?? false;
  const body: Layer[] = [
    ...convUnit('conv1', inputShape[0]!, 16, bn),
    { kind: 'maxpool', name: 'pool1', size: 2, stride: 2 },
    ...convUnit('conv2', 16, 32, bn),
    { kind: 'maxpool', name: 'pool2', size: 2, stride: 2 },
    { kind: 'flatten', name: 'flatten' },
  ];
  const flat = sequenceOutputShape(body, inputShape)[0]!;
  return checked({
    name: 'cnn',
    inputShape,
    classes,
    layers: [...body, { kind: 'linear', name: 'fc', inFeatures: flat, outFeatures: classes }],
  });
}

/** ResNet-5 as in ULR: four 3x3 convs (two in one residual block) and a linear classifier. */
export function resnet5(options: ConvNetOptions = {}): Network {
  const inputShape = options.inputShape ?? CIFAR;
  const bn = options.batchNorm ?? true;
  const layers: Layer[] = [
    ...convUnit('conv1', inputShape[0]!, 32, bn),
    { kind: 'maxpool', name: 'pool1', size: 2, stride: 2 },
    {
      kind: 'residual',
      name: 'res1',
      body: [...convUnit('res1.conv1', 32, 32, bn), ...convUnit('res1.conv2', 32, 32, bn)],
    },
    ...convUnit('conv2', 32, 64, bn),
    { kind: 'maxpool', name: 'pool2', size: 2, stride: 2 },
  ];
  return checked({
    name: 'resnet5',
    inputShape,
    classes: options.classes ?? 10,
    layers: head(layers, inputShape, options.classes ?? 10, 'avgpool'),
  });
}

/** ResNet-9 (the DAWNBench CIFAR network): prep, three stages, two residual blocks, max-pool head. */
export function resnet9(options: ConvNetOptions = {}): Network {
  const inputShape = options.inputShape ?? CIFAR;
  const bn = options.batchNorm ?? true;
  const residual = (name: string, channels: number): Layer => ({
    kind: 'residual',
    name,
    body: [...convUnit(`${name}.conv1`, channels, channels, bn), ...convUnit(`${name}.conv2`, channels, channels, bn)],
  });
  const layers: Layer[] = [
    ...convUnit('prep', inputShape[0]!, 64, bn),
    ...convUnit('layer1', 64, 128, bn),
    { kind: 'maxpool', name: 'layer1.pool', size: 2, stride: 2 },
    residual('res1', 128),
    ...convUnit('layer2', 128, 256, bn),
    { kind: 'maxpool', name: 'layer2.pool', size: 2, stride: 2 },
    ...convUnit('layer3', 256, 512, bn),
    { kind: 'maxpool', name: 'layer3.pool', size: 2, stride: 2 },
    residual('res3', 512),
  ];
  const classes = options.classes ?? 10;
  return checked({ name: 'resnet9', inputShape, classes, layers: head(layers, inputShape, classes, 'maxpool') });
}

function checked(network: Network): Network {
  inferShapes(network);
  return network;
}

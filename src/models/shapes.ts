// Shape inference over layer specs: checks that each layer accepts its input and gives the output
// shape of every layer. Errors name the layer, the shape found and the shape allowed.
import { InvalidInputError } from '../errors.js';
import { elementCount, isActivationLayer, type Layer, type Network, type Shape } from './layers.js';
import { isTokenLayer, tokenLayerOutputShape } from './transformer-layers.js';

export function convOutputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

function fail(layer: Layer, found: Shape, allowed: string): never {
  throw new InvalidInputError(
    `layer ${layer.name} (${layer.kind}): input shape [${found.join(', ')}] does not fit; expected ${allowed}`,
  );
}

function imageShape(layer: Layer, input: Shape): [number, number, number] {
  const [c, h, w] = input;
  if (input.length !== 3 || c === undefined || h === undefined || w === undefined) {
    fail(layer, input, '[channels, height, width]');
  }
  return [c, h, w];
}

/** Output shape of one layer for one sample. */
export function layerOutputShape(layer: Layer, input: Shape): Shape {
  if (isActivationLayer(layer)) return input;
  if (isTokenLayer(layer)) return tokenLayerOutputShape(layer, input);
  switch (layer.kind) {
    case 'linear':
      if (input.length > 2 || input.at(-1) !== layer.inFeatures)
        fail(layer, input, `[${layer.inFeatures}] or [tokens, ${layer.inFeatures}]`);
      return [...input.slice(0, -1), layer.outFeatures];
    case 'conv2d': {
      const [c, h, w] = imageShape(layer, input);
      if (c !== layer.inChannels) fail(layer, input, `${layer.inChannels} input channels`);
      const oh = convOutputSize(h, layer.kernelSize, layer.stride, layer.padding);
      const ow = convOutputSize(w, layer.kernelSize, layer.stride, layer.padding);
      if (oh < 1 || ow < 1) fail(layer, input, `at least ${layer.kernelSize}x${layer.kernelSize} after padding`);
      return [layer.outChannels, oh, ow];
    }
    case 'batchnorm':
      if (input[0] !== layer.channels) fail(layer, input, `${layer.channels} channels first`);
      return input;
    case 'maxpool':
    case 'avgpool': {
      const [c, h, w] = imageShape(layer, input);
      const padding = layer.padding ?? 0;
      if (padding >= layer.size)
        fail(layer, input, `padding ${padding} less than the ${layer.size}x${layer.size} window`);
      const oh = convOutputSize(h, layer.size, layer.stride, padding);
      const ow = convOutputSize(w, layer.size, layer.stride, padding);
      if (oh < 1 || ow < 1) fail(layer, input, `at least ${layer.size}x${layer.size} after padding`);
      return [c, oh, ow];
    }
    case 'flatten':
      return [elementCount(input)];
    case 'residual': {
      const out = sequenceOutputShape(layer.body, input);
      const skip = layer.shortcut ? sequenceOutputShape(layer.shortcut, input) : input;
      if (out.join() !== skip.join())
        fail(
          layer,
          input,
          layer.shortcut
            ? `a body and a shortcut of the same output shape (body gives [${out.join(', ')}], shortcut [${skip.join(', ')}])`
            : `a body that preserves the shape (body gives [${out.join(', ')}])`,
        );
      return out;
    }
    default:
      return layer satisfies never;
  }
}

export function sequenceOutputShape(layers: readonly Layer[], input: Shape): Shape {
  return layers.reduce<Shape>((shape, layer) => layerOutputShape(layer, shape), input);
}

/** Input and output shape of every layer (residual bodies included), keyed by layer name. */
export function inferShapes(network: Network): Map<string, { input: Shape; output: Shape }> {
  const shapes = new Map<string, { input: Shape; output: Shape }>();
  const walk = (layers: readonly Layer[], input: Shape): Shape =>
    layers.reduce<Shape>((shape, layer) => {
      if (shapes.has(layer.name))
        throw new InvalidInputError(`layer name ${layer.name} is used twice; names must be unique`);
      if (layer.kind === 'residual') {
        walk(layer.body, shape);
        if (layer.shortcut) walk(layer.shortcut, shape);
      }
      const output = layerOutputShape(layer, shape);
      shapes.set(layer.name, { input: shape, output });
      return output;
    }, input);
  const out = walk(network.layers, network.inputShape);
  if (out.length > 2 || out.at(-1) !== network.classes) {
    throw new InvalidInputError(
      `network ${network.name}: the last layer gives [${out.join(', ')}], expected [${network.classes}] class scores (or [tokens, ${network.classes}], one label per token)`,
    );
  }
  return shapes;
}

/** Labels per sample: 1, or the tokens of a network whose last layer gives [tokens, classes]. */
export function labelsPerSample(network: Network): number {
  const out = sequenceOutputShape(network.layers, network.inputShape);
  return out.length === 2 ? out[0]! : 1;
}

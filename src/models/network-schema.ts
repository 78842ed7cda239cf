// The strict zod schema of a network description file (`--model FILE.json`): the Network of
// src/models/layers.ts as JSON (name, inputShape, classes, layers; residual bodies nest). Unknown
// keys are errors. Shapes are checked afterwards by src/models/shapes (each layer must accept its
// input). `npx tsx src/models/network-json-schema.ts` writes the JSON Schema for editors.
import { z } from 'zod';
import { ACTIVATION_NAMES, type ActivationName } from '../../kernels/ops/activations.js';
import type { Layer } from './layers.js';

const size = (what: string) =>
  z
    .number()
    .int()
    .positive()
    .max(2 ** 31)
    .describe(`a positive integer at most 2^31: ${what}`);
const name = z.string().min(1).describe('a non-empty layer name, unique in the network');

const linear = z
  .object({ kind: z.literal('linear'), name, inFeatures: size('input features'), outFeatures: size('output features') })
  .strict();
const padding = (what: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .describe(what);
const conv2d = z
  .object({
    kind: z.literal('conv2d'),
    name,
    inChannels: size('input channels'),
    outChannels: size('output channels'),
    kernelSize: size('kernel height and width'),
    stride: size('stride'),
    padding: padding('zero padding on each side'),
  })
  .strict();
const batchnorm = z.object({ kind: z.literal('batchnorm'), name, channels: size('channels') }).strict();
const plain = <K extends ActivationName | 'flatten' | 'tokens' | 'class-pool' | 'mean-pool'>(kind: K) =>
  z.object({ kind: z.literal(kind), name }).strict();
const layernorm = z
  .object({
    kind: z.literal('layernorm'),
    name,
    features: size('features'),
    epsilon: z
      .number()
      .positive()
      .max(1)
      .optional()
      .describe('the epsilon under the square root, a number in (0, 1]; 1e-5 when absent (PyTorch default)'),
  })
  .strict();
const classToken = z.object({ kind: z.literal('class-token'), name, features: size('features') }).strict();
const positionEmbedding = z
  .object({ kind: z.literal('position-embedding'), name, tokens: size('tokens'), features: size('features') })
  .strict();
const attention = z
  .object({
    kind: z.literal('attention'),
    name,
    heads: size('heads; the input is [tokens, 3 x width] (Q | K | V), width a multiple of heads'),
    causal: z.boolean().describe('mask each token to itself and earlier tokens'),
  })
  .strict();
const avgpool = z
  .object({
    kind: z.literal('avgpool'),
    name,
    size: size('window'),
    stride: size('stride'),
    padding: padding('zero positions on each side (default 0); less than the window').optional(),
    countIncludePad: z
      .boolean()
      .optional()
      .describe('with padding: divide by the whole window (true) or by its in-bounds positions (false, the default)'),
  })
  .strict();
const maxpool = z
  .object({
    kind: z.literal('maxpool'),
    name,
    size: size('window'),
    stride: size('stride'),
    padding: padding('positions on each side that never win (default 0); less than the window').optional(),
  })
  .strict();

export const layerSchema: z.ZodType<Layer> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    linear,
    conv2d,
    batchnorm,
    ...ACTIVATION_NAMES.map(plain),
    plain('flatten'),
    maxpool,
    avgpool,
    layernorm,
    attention,
    plain('tokens'),
    classToken,
    positionEmbedding,
    plain('class-pool'),
    plain('mean-pool'),
    z
      .object({
        kind: z.literal('residual'),
        name,
        body: z
          .array(layerSchema)
          .min(1)
          .describe('layers whose output keeps the input shape (or, with a shortcut, has its output shape)'),
        shortcut: z
          .array(layerSchema)
          .min(1)
          .optional()
          .describe('layers on the skip path (a projection); without one the input is added unchanged'),
      })
      .strict(),
  ]),
);

export const networkFileSchema = z
  .object({
    $schema: z.string().optional().describe('path or URL of the JSON Schema, for editors'),
    name: z.string().min(1).describe('the network name used in reports'),
    inputShape: z
      .array(size('dimension'))
      .min(1)
      .max(3)
      .describe('one sample: [features], [tokens, features] or [channels, height, width]'),
    classes: size('classes of the softmax cross-entropy on the last layer'),
    layers: z
      .array(layerSchema)
      .min(1)
      .describe('layers in execution order; the last one outputs `classes` values (or [tokens, classes])'),
  })
  .strict();

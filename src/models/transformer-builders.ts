// Transformer builders: a pre-norm encoder or decoder block, `vit` (image patches, class token,
// position embedding, class-token pooling) and `gpt` (a causal decoder stack over token embeddings,
// one vocabulary-wide label per token). vit-tiny and gpt2-small are these with the shipped sizes.
import { InvalidInputError } from '../errors.js';
import type { Layer, Network, Shape } from './layers.js';
import { inferShapes } from './shapes.js';

export interface BlockOptions {
  width: number;
  heads: number;
  /** Hidden width of the MLP. */
  mlp: number;
  causal: boolean;
}

/** Pre-norm block: x + proj(attention(qkv(ln(x)))), then x + fc2(gelu(fc1(ln(x)))). */
export function transformerBlock(name: string, o: BlockOptions): Layer[] {
  return [
    {
      kind: 'residual',
      name: `${name}.attn`,
      body: [
        { kind: 'layernorm', name: `${name}.ln1`, features: o.width },
        { kind: 'linear', name: `${name}.qkv`, inFeatures: o.width, outFeatures: 3 * o.width },
        { kind: 'attention', name: `${name}.attention`, heads: o.heads, causal: o.causal },
        { kind: 'linear', name: `${name}.proj`, inFeatures: o.width, outFeatures: o.width },
      ],
    },
    {
      kind: 'residual',
      name: `${name}.mlp`,
      body: [
        { kind: 'layernorm', name: `${name}.ln2`, features: o.width },
        { kind: 'linear', name: `${name}.fc1`, inFeatures: o.width, outFeatures: o.mlp },
        { kind: 'gelu', name: `${name}.gelu` },
        { kind: 'linear', name: `${name}.fc2`, inFeatures: o.mlp, outFeatures: o.width },
      ],
    },
  ];
}

function blocks(count: number, o: BlockOptions): Layer[] {
  return Array.from({ length: count }, (_, i) => transformerBlock(`block${i + 1}`, o)).flat();
}

export interface VitOptions extends Omit<BlockOptions, 'causal'> {
  name: string;
  inputShape: Shape;
  classes: number;
  patch: number;
  blocks: number;
}

/** Vision transformer: patch embedding (conv2d, kernel = stride = patch, then tokens), class token, position embedding, blocks, class-token head. */
export function vit(o: VitOptions): Network {
  const [channels, height, width] = o.inputShape;
  if (o.inputShape.length !== 3 || height! % o.patch !== 0 || width! % o.patch !== 0)
    throw new InvalidInputError(
      `${o.name}: input [${o.inputShape.join(', ')}] does not fit; expected [channels, height, width] divisible by the ${o.patch}x${o.patch} patch`,
    );
  const tokens = (height! / o.patch) * (width! / o.patch) + 1;
  const layers: Layer[] = [
    {
      kind: 'conv2d',
      name: 'patch',
      inChannels: channels!,
      outChannels: o.width,
      kernelSize: o.patch,
      stride: o.patch,
      padding: 0,
    },
    { kind: 'tokens', name: 'patch.tokens' },
    { kind: 'class-token', name: 'cls', features: o.width },
    { kind: 'position-embedding', name: 'position', tokens, features: o.width },
    ...blocks(o.blocks, { ...o, causal: false }),
    { kind: 'layernorm', name: 'ln', features: o.width },
    { kind: 'class-pool', name: 'pool' },
    { kind: 'linear', name: 'head', inFeatures: o.width, outFeatures: o.classes },
  ];
  return checked({ name: o.name, inputShape: o.inputShape, classes: o.classes, layers });
}

export interface GptOptions extends Omit<BlockOptions, 'causal'> {
  name: string;
  /** Tokens per sequence. */
  sequence: number;
  vocabulary: number;
  blocks: number;
}

/**
 * Causal decoder stack. The input is a sequence's token embeddings, [sequence, width] (the lookup is
 * a gather, no arithmetic; GPT-2 ties that table to the last linear, whose weights are counted
 * there); the last linear gives every token's scores over the vocabulary, the network's classes.
 */
export function gpt(o: GptOptions): Network {
  const layers: Layer[] = [
    { kind: 'position-embedding', name: 'position', tokens: o.sequence, features: o.width },
    ...blocks(o.blocks, { ...o, causal: true }),
    { kind: 'layernorm', name: 'ln', features: o.width },
    { kind: 'linear', name: 'head', inFeatures: o.width, outFeatures: o.vocabulary },
  ];
  return checked({ name: o.name, inputShape: [o.sequence, o.width], classes: o.vocabulary, layers });
}

/** vit-tiny: MNIST-sized, 7x7 patches, width 64, 2 blocks, 4 heads, MLP 128. */
export function vitTiny(o: { inputShape?: Shape; classes?: number } = {}): Network {
  const inputShape = o.inputShape ?? [1, 28, 28];
  const classes = o.classes ?? 10;
  return vit({ name: 'vit-tiny', inputShape, classes, patch: 7, width: 64, blocks: 2, heads: 4, mlp: 128 });
}

/** gpt2-small: 12 decoder blocks, width 768, 12 heads, MLP 3072, sequence 1024, vocabulary 50257. */
export function gpt2Small(): Network {
  return gpt({ name: 'gpt2-small', sequence: 1024, vocabulary: 50257, width: 768, heads: 12, mlp: 3072, blocks: 12 });
}

function checked(network: Network): Network {
  inferShapes(network);
  return network;
}

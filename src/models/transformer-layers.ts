// Layers on token sequences: one sample is [tokens, features] (row-major, token-major). Linear
// layers act on the last axis (layers.ts), so a transformer is made of these kinds plus linear,
// an activation (gelu) and residual:
// - patch embedding: conv2d with kernel = stride = patch size, then `tokens`;
// - an encoder block: residual[layernorm, linear(F, 3F), attention, linear(F, F)],
//   residual[layernorm, linear(F, M), gelu, linear(M, F)];
// - heads: layernorm, class-pool or mean-pool, linear(F, classes); a language model keeps the
//   tokens and its last linear gives [tokens, vocabulary] (one label per token).
// Every kind is plain data an importer can produce: attention has no parameters (its Q, K, V and
// output projections are the linear layers around it), so LR/ALR inject noise on those as on any
// dense layer.
import { InvalidInputError } from '../errors.js';

/** One sample's shape (layers.ts's Shape, restated so the two files do not import each other). */
type Shape = readonly number[];

export type TokenLayer =
  /**
   * Per token: (x - mean) / sqrt(var + epsilon) over the features, times a learned scale plus a learned
   * shift. Epsilon is 1e-5 when absent (PyTorch's default; torchvision's ViT uses 1e-6).
   */
  | { kind: 'layernorm'; name: string; features: number; epsilon?: number }
  /**
   * Multi-head softmax attention: input [tokens, 3 * width] holding Q | K | V (each `heads` heads of
   * width / heads features, head-major), output [tokens, width]: per head softmax(Q K^T / sqrt(head
   * width), masked to earlier tokens when causal) V, heads concatenated.
   */
  | { kind: 'attention'; name: string; heads: number; causal: boolean }
  /** [channels, height, width] to [height * width, channels]: a feature map as a token sequence. */
  | { kind: 'tokens'; name: string }
  /** Prepends one learned token: [tokens, features] to [tokens + 1, features]. */
  | { kind: 'class-token'; name: string; features: number }
  /** Adds a learned vector per position: [tokens, features] to the same shape. */
  | { kind: 'position-embedding'; name: string; tokens: number; features: number }
  /** [tokens, features] to [features]: the first (class) token. */
  | { kind: 'class-pool'; name: string }
  /** [tokens, features] to [features]: the mean over the tokens. */
  | { kind: 'mean-pool'; name: string };

/** LayerNorm's epsilon when a layer gives none (PyTorch's nn.LayerNorm default). */
export const DEFAULT_LAYERNORM_EPSILON = 1e-5;

export function layerNormEpsilonOf(layer: { epsilon?: number }): number {
  return layer.epsilon ?? DEFAULT_LAYERNORM_EPSILON;
}

export type TokenParamLayer = Extract<TokenLayer, { kind: 'layernorm' | 'class-token' | 'position-embedding' }>;
export type TokenLayerKind = TokenLayer['kind'];

export const TOKEN_LAYER_KINDS: readonly TokenLayerKind[] = [
  'layernorm',
  'attention',
  'tokens',
  'class-token',
  'position-embedding',
  'class-pool',
  'mean-pool',
];

export function isTokenLayer(layer: { kind: string }): layer is TokenLayer {
  return (TOKEN_LAYER_KINDS as readonly string[]).includes(layer.kind);
}

function fail(layer: TokenLayer, found: Shape, allowed: string): never {
  throw new InvalidInputError(
    `layer ${layer.name} (${layer.kind}): input shape [${found.join(', ')}] does not fit; expected ${allowed}`,
  );
}

/** [tokens, features] of a token-sequence input, or a clear error. */
function sequence(layer: TokenLayer, input: Shape): [number, number] {
  const [tokens, features] = input;
  if (input.length !== 2 || tokens === undefined || features === undefined) fail(layer, input, '[tokens, features]');
  return [tokens, features];
}

/** Output shape of a token layer for one sample. */
export function tokenLayerOutputShape(layer: TokenLayer, input: Shape): Shape {
  switch (layer.kind) {
    case 'tokens': {
      const [c, h, w] = input;
      if (input.length !== 3 || c === undefined || h === undefined || w === undefined)
        fail(layer, input, '[channels, height, width]');
      return [h * w, c];
    }
    case 'layernorm':
    case 'class-token': {
      const [tokens, features] = sequence(layer, input);
      if (features !== layer.features) fail(layer, input, `[tokens, ${layer.features}]`);
      return layer.kind === 'class-token' ? [tokens + 1, features] : input;
    }
    case 'position-embedding': {
      const [tokens, features] = sequence(layer, input);
      if (tokens !== layer.tokens || features !== layer.features)
        fail(layer, input, `[${layer.tokens}, ${layer.features}]`);
      return input;
    }
    case 'attention':
      return [sequence(layer, input)[0], attentionWidth(layer, input)];
    case 'class-pool':
    case 'mean-pool':
      return [sequence(layer, input)[1]];
    default:
      return layer satisfies never;
  }
}

/** The width (heads x head width) of an attention layer's output, from its [tokens, 3 * width] input. */
export function attentionWidth(layer: Extract<TokenLayer, { kind: 'attention' }>, input: Shape): number {
  const [, features] = sequence(layer, input);
  if (!Number.isInteger(layer.heads) || layer.heads < 1) fail(layer, input, 'heads, a positive integer');
  if (features % (3 * layer.heads) !== 0)
    fail(layer, input, `[tokens, 3 x width] with width a multiple of ${layer.heads} heads`);
  return features / 3;
}

/** Multiply-accumulates of one sample's attention: Q K^T and the probabilities times V, tokens^2 x width each. */
export function attentionMacs(tokens: number, width: number): number {
  return 2 * tokens * tokens * width;
}

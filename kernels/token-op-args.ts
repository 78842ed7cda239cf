// Argument and result types of the token-sequence kernels (transformer layers): LayerNorm forward,
// backward and parameter gradient, a batched matrix product (attention's Q K^T, P V and their
// backward products), a row softmax with scale and causal mask and its backward, and a gather by
// index map (the token rearrangements: patch tokens, head split and merge, class token, class pool).
// Part of the kernel contract of names.ts (KernelArgs extends TokenOpArgs). No arithmetic.
/** names.ts's NumArray, stated here so names.ts can import this file. */
type NumArray = Float32Array | Float64Array;

export const TOKEN_KERNEL_NAMES = [
  'layernorm',
  'layernorm-backward',
  'layernorm-grad',
  'batch-matmul',
  'softmax-rows',
  'softmax-rows-backward',
  'gather',
] as const;
export type TokenKernelName = (typeof TOKEN_KERNEL_NAMES)[number];

/** Per row of `features` values: out = gamma * (x - mean) / sqrt(var + epsilon) + beta (variance over the row, divided by features). */
export interface LayernormArgs {
  x: NumArray;
  gamma: NumArray;
  beta: NumArray;
  rows: number;
  features: number;
  /** The layer's epsilon under the square root (1e-5 for alrflow's own models, 1e-6 in torchvision's ViT). */
  epsilon: number;
}

/** BP through LayerNorm, the row's statistics its own: dx = (g - mean(g) - xhat mean(g xhat)) / sqrt(var + epsilon), g = dy gamma. */
export interface LayernormBackwardArgs {
  dy: NumArray;
  x: NumArray;
  gamma: NumArray;
  rows: number;
  features: number;
  epsilon: number;
}

/** LayerNorm's parameter gradient: weights[f] = sum over rows of dy * xhat, biases[f] = sum over rows of dy. */
export interface LayernormGradArgs {
  dy: NumArray;
  x: NumArray;
  rows: number;
  features: number;
  epsilon: number;
}

/**
 * `groups` independent products C[g] (m x n) = op(A[g]) op(B[g]): transpose 'none' A m x k, B k x n;
 * 'a' A stored k x m (A^T B); 'b' B stored n x k (A B^T). Result [groups, m, n].
 */
export interface BatchMatmulArgs {
  a: NumArray;
  b: NumArray;
  groups: number;
  m: number;
  k: number;
  n: number;
  transpose: 'none' | 'a' | 'b';
}

/**
 * Row softmax of scale * x over `width` values; causal: row r keeps columns 0..(r mod width) (a
 * [width, width] score block per group) and the rest are 0.
 */
export interface SoftmaxRowsArgs {
  x: NumArray;
  rows: number;
  width: number;
  scale: number;
  causal: boolean;
}

/** BP through softmax-rows from its probabilities p: dx = scale * p * (dy - sum over the row of p dy). */
export interface SoftmaxRowsBackwardArgs {
  dy: NumArray;
  p: NumArray;
  rows: number;
  width: number;
  scale: number;
}

/** out[i] = scale * x[index[i]], or 0 where index[i] is -1. */
export interface GatherArgs {
  x: NumArray;
  index: Int32Array;
  scale: number;
}

export interface TokenOpArgs {
  layernorm: LayernormArgs;
  'layernorm-backward': LayernormBackwardArgs;
  'layernorm-grad': LayernormGradArgs;
  'batch-matmul': BatchMatmulArgs;
  'softmax-rows': SoftmaxRowsArgs;
  'softmax-rows-backward': SoftmaxRowsBackwardArgs;
  gather: GatherArgs;
}

export type TokenOpOutputs = { [K in Exclude<TokenKernelName, 'layernorm-grad'>]: NumArray } & {
  'layernorm-grad': { weights: NumArray; biases: NumArray };
};

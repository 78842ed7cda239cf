// The op table's other vector ops: for each IR node kind that works element by element besides the
// activations (activations.ts) — normalisation, pooling, the residual add, noise, sign packing, the
// loss with its baseline and gradient, reductions, learned sigma's gradient, optimizer updates — its
// work per element and the registered kernels (kernels/names.ts) that run it. src/ir/work-of.ts costs
// the nodes from it; test/unit/op-table.test.ts checks every kernel named here is registered.

export interface VectorOp {
  /** Operations per element of the node's work (costing weights, not a timing model). */
  opsPerElement: number;
  /** The kernels that run the node, forward then backward; empty where the runtime moves data only. */
  kernels: readonly string[];
}

export const VECTOR_OPS = {
  BatchNorm: { opsPerElement: 4, kernels: ['batchnorm', 'batchnorm-backward'] },
  /** Per element of each output's size x size window. */
  Pool: { opsPerElement: 1, kernels: ['pool', 'pool-backward'] },
  Add: { opsPerElement: 1, kernels: ['add'] },
  /** Mean and variance sums, subtract, scale by the inverse deviation, affine (backward about the same); no kernel yet. */
  LayerNorm: { opsPerElement: 8, kernels: [] },
  /** Attention's row softmax: scale, max, exp, sum, divide (backward: the row dot product, subtract, multiply); no kernel yet. */
  Softmax: { opsPerElement: 5, kernels: [] },
  /** Token rearrangements and pooling (head split and merge, class token, position add, pools); no kernel yet. */
  TokenOp: { opsPerElement: 1, kernels: [] },
  /** Counter-based RNG plus Box-Muller plus the add. */
  NoiseInject: { opsPerElement: 10, kernels: ['noise-inject', 'noise-inject-signs'] },
  SignPack: { opsPerElement: 1, kernels: ['sign-pack'] },
  Loss: { opsPerElement: 4, kernels: ['softmax-cross-entropy', 'softmax-gradient', 'loss-baseline'] },
  LossBroadcast: { opsPerElement: 1, kernels: [] },
  /** ES's per-copy loss sums and the LR fold's copy sum of error signals (fused host code in the runtime). */
  Reduce: { opsPerElement: 1, kernels: [] },
  SigmaGrad: { opsPerElement: 4, kernels: ['sigma-gradient'] },
  'OptimizerUpdate.sgd': { opsPerElement: 2, kernels: ['sgd-update'] },
  'OptimizerUpdate.adam': { opsPerElement: 10, kernels: ['adam-update'] },
} as const satisfies Record<string, VectorOp>;

export type VectorOpName = keyof typeof VECTOR_OPS;

/** Work per element of a vector op. */
export function opsPerElement(name: VectorOpName): number {
  return VECTOR_OPS[name].opsPerElement;
}

// The token kernels' table entries over the float64 reference code (reference/token-ops.ts): the
// `reference` backend's. Float64 results.
import type { KernelTable } from './names.js';
import * as ref from './reference/token-ops.js';
import type { TokenKernelName } from './token-op-args.js';

export const tokenReferenceKernels: Pick<KernelTable, TokenKernelName> = {
  layernorm: async (a) => ref.layerNorm(a),
  'layernorm-backward': async (a) => ref.layerNormBackward(a),
  'layernorm-grad': async (a) => ref.layerNormGrad(a),
  'batch-matmul': async (a) => ref.batchMatmul(a),
  'softmax-rows': async (a) => ref.softmaxRows(a),
  'softmax-rows-backward': async (a) => ref.softmaxRowsBackward(a),
  gather: async (a) => ref.gather(a),
};

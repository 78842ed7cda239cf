// The `reference` implementations of the kernels the graph executor added for conv nets (batchnorm
// with given statistics, pooling and its backward, residual add, conv backward data and weights,
// copy reduction), over the float64 reference kernels. The device tables reuse some of them as an
// honest fallback: the registry then stamps those calls as run on `reference` (see registry.ts).
import type { KernelName, KernelTable, NumArray } from './names.js';
import * as ref from './reference/index.js';

const f64 = (a: NumArray): Float64Array => (a instanceof Float64Array ? a : Float64Array.from(a));

export type GraphKernelName =
  'batchnorm' | 'pool' | 'pool-backward' | 'add' | 'conv2d-backward-data' | 'conv2d-backward-weights' | 'copy-sum';

export const graphReferenceKernels: Pick<KernelTable, GraphKernelName> = {
  batchnorm: async ({ x, gamma, beta, mean, variance, rows, channels, spatial }) =>
    ref.batchnorm(
      f64(x),
      f64(gamma),
      f64(beta),
      { rows, channels, spatial },
      { mean: f64(mean), variance: f64(variance) },
    ).output,
  pool: async ({ x, op, dims }) => (op === 'max' ? ref.maxPool(f64(x), dims).output : ref.avgPool(f64(x), dims)),
  'pool-backward': async ({ dy, x, op, dims }) => {
    if (op === 'avg') return ref.avgPoolBackward(f64(dy), dims);
    return ref.maxPoolBackward(f64(dy), ref.maxPool(f64(x), dims).argmax, x.length);
  },
  add: async ({ a, b }) => {
    const out = Float64Array.from(a);
    for (let i = 0; i < out.length; i++) out[i]! += b[i]!;
    return out;
  },
  'conv2d-backward-data': async ({ dy, weights, dims }) => ref.conv2dInputGrad(f64(dy), f64(weights), dims),
  'conv2d-backward-weights': async ({ dy, x, dims }) => {
    const { outHeight, outWidth } = ref.convDims('conv2d-backward-weights', dims);
    return {
      weights: ref.conv2dWeightGrad(f64(dy), f64(x), dims),
      biases: ref.channelSum(f64(dy), dims.batch, dims.outChannels, outHeight * outWidth),
    };
  },
  'copy-sum': async ({ x, samples, copies }) => ref.copySum(x, samples, copies),
};

/** A device table's entries that run the reference code, and the set the registry stamps as `reference`. */
export function referenceFallback<K extends GraphKernelName>(
  names: readonly K[],
): { table: Pick<KernelTable, K>; names: ReadonlySet<KernelName> } {
  const table = Object.fromEntries(names.map((n) => [n, graphReferenceKernels[n]])) as Pick<KernelTable, K>;
  return { table, names: new Set<KernelName>(names) };
}

// Initial parameters as the graph declares them: weights and biases uniform in +-1/sqrt(fanIn)
// (PyTorch's default for linear and conv layers), or constants (batchnorm gamma 1 and beta 0), drawn
// from a seeded xoroshiro128+ stream so a run's start is a pure function of its seed.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { ParamDecl } from '../../ir/types.js';
import type { Params } from './step-types.js';

/** Each declared layer's initial parameters, in declaration order from one stream. */
export function initParams(decls: readonly ParamDecl[], seed: number): Params {
  const rng = xoroshiro128plus(seed);
  const params: Params = {};
  for (const { layer, init, weights, biases } of decls) {
    if (init.kind === 'constant') {
      params[layer] = {
        weights: new Float64Array(weights).fill(init.weights),
        biases: new Float64Array(biases).fill(init.biases),
      };
      continue;
    }
    const bound = 1 / Math.sqrt(init.fanIn);
    const draw = (): number => (2 * uniformFloat64(rng) - 1) * bound;
    params[layer] = {
      weights: Float64Array.from({ length: weights }, draw),
      biases: Float64Array.from({ length: biases }, draw),
    };
  }
  return params;
}

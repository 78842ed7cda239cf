// Initial parameters: weights and biases uniform in +-1/sqrt(fanIn) (PyTorch's default for linear
// layers), drawn from a seeded xoroshiro128+ stream so a run's start is a pure function of its seed.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { DenseLayer } from './dense-stack.js';
import type { Params } from './step-types.js';

export function initParams(layers: DenseLayer[], seed: number): Params {
  const rng = xoroshiro128plus(seed);
  const params: Params = {};
  for (const layer of layers) {
    const bound = 1 / Math.sqrt(layer.inFeatures);
    const draw = (): number => (2 * uniformFloat64(rng) - 1) * bound;
    params[layer.name] = {
      weights: Float64Array.from({ length: layer.outFeatures * layer.inFeatures }, draw),
      biases: Float64Array.from({ length: layer.outFeatures }, draw),
    };
  }
  return params;
}

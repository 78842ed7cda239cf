// Initial parameters: weights and biases uniform in +-1/sqrt(fanIn) (PyTorch's default for linear
// and conv layers), batchnorm gamma 1 and beta 0, drawn from a seeded xoroshiro128+ stream so a
// run's start is a pure function of its seed.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { fanIn, parameterCount, type ParamLayer } from '../../models/layers.js';
import type { Params } from './step-types.js';

export function initParams(layers: ParamLayer[], seed: number): Params {
  const rng = xoroshiro128plus(seed);
  const params: Params = {};
  for (const layer of layers) {
    const count = parameterCount(layer);
    if (layer.kind === 'batchnorm') {
      params[layer.name] = { weights: new Float64Array(count.weights).fill(1), biases: new Float64Array(count.biases) };
      continue;
    }
    const bound = 1 / Math.sqrt(fanIn(layer));
    const draw = (): number => (2 * uniformFloat64(rng) - 1) * bound;
    params[layer.name] = {
      weights: Float64Array.from({ length: count.weights }, draw),
      biases: Float64Array.from({ length: count.biases }, draw),
    };
  }
  return params;
}

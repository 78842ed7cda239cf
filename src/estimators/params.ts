// Parameter initialisation and validation for the reference estimators. Initial weights come from the
// counter-based RNG (He-scaled), so a (network, seed) pair always gives the same parameters. Validation
// errors name the layer, the buffer and the offending value.
import { InvalidInputError } from '../errors.js';
import { fanIn, outputChannels, paramLayers, parameterCount, type Network } from '../models/layers.js';
import { sampleNoise } from '../../kernels/rng.js';
import type { Params } from './types.js';

/** He-normal weights, zero biases; batchnorm and layernorm gamma = 1, beta = 0. */
export function initParams(network: Network, seed = 0): Params {
  const params: Params = new Map();
  paramLayers(network.layers).forEach((layer, index) => {
    const { weights, biases } = parameterCount(layer);
    if (layer.kind === 'batchnorm' || layer.kind === 'layernorm') {
      params.set(layer.name, { weights: new Float64Array(weights).fill(1), biases: new Float64Array(biases) });
      return;
    }
    const scale = Math.sqrt(2 / fanIn(layer));
    const w = sampleNoise({ seed, step: 0, layer: index, samples: 1, copies: 1, units: weights }).map((v) => v * scale);
    params.set(layer.name, { weights: w, biases: new Float64Array(biases) });
  });
  return params;
}

/** Throws unless every parametrised layer has finite weights and biases of the right length. */
export function validateParams(network: Network, params: Params): void {
  for (const layer of paramLayers(network.layers)) {
    const p = params.get(layer.name);
    if (!p)
      throw new InvalidInputError(
        `layer ${layer.name}: no parameters given. Hint: build them with initParams(network)`,
      );
    const count = parameterCount(layer);
    for (const [name, buf, expected] of [
      ['weights', p.weights, count.weights],
      ['biases', p.biases, count.biases],
    ] as const) {
      if (buf.length !== expected) {
        throw new InvalidInputError(
          `layer ${layer.name} (${layer.kind}): ${name} has ${buf.length} elements; expected ${expected}`,
        );
      }
      const bad = buf.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new InvalidInputError(
          `layer ${layer.name}: ${name}[${bad}] = ${buf[bad]}; allowed: finite numbers. Hint: lower the learning rate`,
        );
      }
    }
  }
}

/** Per-layer sigma vectors from a scalar or a map, validated (> 0, finite, right length). */
export function sigmaMap(network: Network, sigma: number | Map<string, Float64Array>): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const layer of paramLayers(network.layers)) {
    const channels = outputChannels(layer);
    const s = typeof sigma === 'number' ? new Float64Array(channels).fill(sigma) : sigma.get(layer.name);
    if (!s || s.length !== channels) {
      throw new InvalidInputError(
        `layer ${layer.name}: sigma has ${s?.length ?? 0} values; expected ${channels} (one per output channel)`,
      );
    }
    const bad = s.findIndex((v) => !(v > 0) || !Number.isFinite(v));
    if (bad >= 0) {
      throw new InvalidInputError(
        `layer ${layer.name}: sigma[${bad}] = ${s[bad]}; allowed: a finite number > 0. Hint: 0.01-0.3 works well`,
      );
    }
    out.set(layer.name, s);
  }
  return out;
}

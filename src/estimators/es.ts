// ES and AES estimators (METHOD.md 2.4): each copy perturbs the weights, theta + sigma * eps_k, and runs
// a clean forward of the batch; g = 1/(N K sigma) sum_{n,k} L~_{n,k} eps_k. AES keeps only sign bits of
// eps_k and scales by sqrt(pi/2). No layer inputs are kept; the noise is K x (weights + biases) per layer.
// Sigma is one scalar in weight space. Batchnorm statistics are frozen from the clean pass.
import { softmaxCrossEntropy } from '../../kernels/reference/index.js';
import { InvalidInputError } from '../errors.js';
import { paramLayers, parameterCount, type Network } from '../models/layers.js';
import { baselines } from './baselines.js';
import { forward } from './forward.js';
import { KeptBytesAccount } from './kept-bytes.js';
import { NoiseStore } from './noise-store.js';
import { validateBatch, validateCopies } from './validate-input.js';
import type { Batch, EstimatorOptions, GradientResult, LayerGradient, NoiseStorage, Params } from './types.js';

/** The weight-space sigma and the noise storage of an ES/AES run, checked. */
function esSettings(options: EstimatorOptions): { sigma: number; aes: boolean; storage: NoiseStorage } {
  const sigma = options.sigma;
  if (typeof sigma !== 'number' || !(sigma > 0) || !Number.isFinite(sigma)) {
    throw new InvalidInputError(
      `${options.method}: sigma = ${typeof sigma === 'number' ? sigma : 'a per-layer map'}; allowed: one finite number > 0 (weight-space noise std)`,
    );
  }
  const aes = options.method === 'aes';
  const storage = options.noiseStorage ?? (aes ? 'sign-bits' : 'float');
  if (!aes && storage === 'sign-bits')
    throw new InvalidInputError(
      `es: noiseStorage 'sign-bits' loses the magnitudes ES needs; allowed: 'float' or 'regenerate'`,
    );
  return { sigma, aes, storage };
}

export function es(network: Network, params: Params, batch: Batch, options: EstimatorOptions): GradientResult {
  validateBatch(network, params, batch);
  validateCopies(options.copies);
  const { sigma, aes, storage } = esSettings(options);
  const N = batch.size;
  const K = options.copies;
  const account = new KeptBytesAccount(options.floatBytes ?? 4);
  const store = new NoiseStore(storage, account);
  const layers = paramLayers(network.layers);
  const noise = layers.map((layer, index) => {
    const { weights, biases } = parameterCount(layer);
    const request = {
      seed: options.seed ?? 0,
      step: options.step ?? 0,
      layer: index,
      samples: 1,
      copies: K,
      units: weights + biases,
      antithetic: options.antithetic,
      qmc: options.qmc,
    };
    return store.draw(layer.name, request);
  });
  const { bnStats } = forward({ network, params, input: batch.input, rows: N, keep: 'none' });
  const rowLoss =
    options.rowLoss ??
    ((o: Float64Array, l: Int32Array, r: number, c: number) => softmaxCrossEntropy(o, l, r, c).losses);
  const losses = new Float64Array(N * K);
  for (let k = 0; k < K; k++) {
    const perturbed = perturb(network, params, noise, k, sigma);
    const { logits } = forward({ network, params: perturbed, input: batch.input, rows: N, bnStats, keep: 'none' });
    rowLoss(logits, batch.labels, N, network.classes).forEach((l, n) => (losses[n * K + k] = l));
  }
  account.keep('loss', losses);
  const shaped = baselines(losses, N, K, options.baseline ?? 'none');
  const perCopy = Float64Array.from({ length: K }, (_, k) =>
    Array.from({ length: N }, (_, n) => shaped[n * K + k]!).reduce((a, b) => a + b, 0),
  );
  const gradients = new Map<string, LayerGradient>();
  for (const layer of layers) {
    const values = aes ? store.signs(layer.name) : store.floats(layer.name);
    const scale = (aes ? Math.sqrt(Math.PI / 2) : 1) / (N * K * sigma);
    gradients.set(layer.name, combine(values, perCopy, scale, parameterCount(layer).weights));
  }
  return {
    method: options.method,
    gradients,
    meanLoss: losses.reduce((a, b) => a + b, 0) / losses.length,
    kept: account.result(),
  };
}

/** Parameters of copy k: theta + sigma * eps_k, eps laid out [K, weights + biases] per layer. */
function perturb(network: Network, params: Params, noise: Float64Array[], k: number, sigma: number): Params {
  const out: Params = new Map();
  paramLayers(network.layers).forEach((layer, index) => {
    const p = params.get(layer.name)!;
    const width = p.weights.length + p.biases.length;
    const eps = noise[index]!.subarray(k * width, (k + 1) * width);
    out.set(layer.name, {
      weights: p.weights.map((w, i) => w + sigma * eps[i]!),
      biases: p.biases.map((b, i) => b + sigma * eps[p.weights.length + i]!),
    });
  });
  return out;
}

/** scale * sum_k perCopy[k] * values[k, :], split into weights and biases. */
function combine(values: Float64Array, perCopy: Float64Array, scale: number, weights: number): LayerGradient {
  const width = values.length / perCopy.length;
  const g = new Float64Array(width);
  perCopy.forEach((l, k) => {
    for (let i = 0; i < width; i++) g[i]! += l * values[k * width + i]!;
  });
  const scaled = g.map((v) => v * scale);
  return { weights: scaled.slice(0, weights), biases: scaled.slice(weights) };
}

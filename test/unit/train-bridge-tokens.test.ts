// The bridge for token-sequence layers: the compiler's BP step graph executed node by node on the
// registry's `reference` backend (attention's batched products and softmax, LayerNorm, the head split
// and merge, class token, position table, class and mean pooling as the runtime runs them) gives the
// float64 oracle's BP gradients (src/estimators/bp.ts) to 1e-12 relative, on a vit-tiny-shaped vision
// transformer (patches, class token, two heads) and a causal decoder with mean pooling, every
// parameter moved off its initial value. A runtime that dropped the causal mask, or split the heads
// in another order than the merge, would differ.
import { describe, expect, test } from 'vitest';
import { bp } from '../../src/estimators/bp.js';
import { estimate } from '../../src/estimators/estimate.js';
import { initParams } from '../../src/estimators/params.js';
import type { Params } from '../../src/estimators/types.js';
import { stepSource } from '../../src/compiler/step-source.js';
import { outputChannels, paramLayers, type Layer, type Network } from '../../src/models/layers.js';
import { inferShapes } from '../../src/models/shapes.js';
import { liveTokensOf } from '../../src/models/token-reach.js';
import { transformerBlock, vit } from '../../src/models/transformer-builders.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import type { MethodOptions } from '../../src/train/runtime/step-types.js';
import { relativeError } from '../fixtures/bridge-networks.js';
import { detectBackend } from '../../kernels/backends.js';
import type { BackendName } from '../../kernels/names.js';

const vitSmall = vit({
  name: 'vit-bridge',
  inputShape: [2, 4, 6],
  classes: 3,
  patch: 2,
  width: 8,
  heads: 2,
  mlp: 10,
  blocks: 2,
});

function decoder(causal: boolean): Network {
  const [tokens, width] = [5, 8];
  const network: Network = {
    name: causal ? 'decoder-causal' : 'decoder',
    inputShape: [tokens, width],
    classes: 3,
    layers: [
      { kind: 'position-embedding', name: 'position', tokens, features: width },
      ...transformerBlock('block', { width, heads: 4, mlp: 6, causal }),
      { kind: 'layernorm', name: 'ln', features: width },
      { kind: 'mean-pool', name: 'pool' },
      { kind: 'linear', name: 'head', inFeatures: width, outFeatures: 3 },
    ],
  };
  inferShapes(network);
  return network;
}

/** The network with every LayerNorm's epsilon set (its own, not the default 1e-5: the runtime reads it from the graph). */
function withEpsilon(network: Network, epsilon: number): Network {
  const set = (layers: Layer[]): Layer[] =>
    layers.map((l) =>
      l.kind === 'residual' ? { ...l, body: set(l.body) } : l.kind === 'layernorm' ? { ...l, epsilon } : l,
    );
  return { ...network, name: `${network.name}-epsilon-${epsilon}`, layers: set(network.layers) };
}

const decoderEpsilon = withEpsilon(decoder(false), 0.5);

/** Every parameter (gamma, beta, tokens and biases included) moved off its initial value. */
function paramsFor(network: Network, seed: number): Params {
  const params = initParams(network, seed);
  for (const p of params.values()) {
    p.weights.forEach((v, i) => (p.weights[i] = v * 0.5 + 0.3 * Math.sin(3 * i + seed + 0.5)));
    p.biases.forEach((_, i) => (p.biases[i] = 0.1 * Math.sin(i + seed + 0.5)));
  }
  return params;
}

const bpOptions: MethodOptions = {
  method: 'bp',
  copies: 1,
  sigma: 0.1,
  baseline: 'mean',
  encoding: 'sign-noise',
  antithetic: false,
  layerwise: false,
};

async function runtimeGradients(
  network: Network,
  params: Params,
  input: Float64Array,
  labels: Int32Array,
  method: MethodOptions = bpOptions,
  backend: BackendName = 'reference',
) {
  const runtime = await Runtime.create({
    network: stepSource(network),
    backend,
    method,
    seed: 5,
    optimizer: { kind: 'sgd', momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  });
  for (const [name, p] of params)
    runtime.params[name] = { weights: Float64Array.from(p.weights), biases: Float64Array.from(p.biases) };
  const mine = await runtime.gradients({ x: input, labels, samples: labels.length }, 3);
  await runtime.dispose();
  return mine;
}

/** The runtime's step equals the oracle's: the same layers, every gradient and the mean loss to 1e-12 relative. */
function expectSameStep(
  mine: Awaited<ReturnType<typeof runtimeGradients>>,
  theirs: { gradients: Map<string, { weights: Float64Array; biases: Float64Array }>; meanLoss: number },
): void {
  expect(Object.keys(mine.gradients).sort()).toEqual([...theirs.gradients.keys()].sort());
  for (const [name, g] of theirs.gradients) {
    expect(relativeError(mine.gradients[name]!.weights, g.weights), `${name} weights`).toBeLessThanOrEqual(1e-12);
    if (g.biases.length > 0)
      expect(relativeError(mine.gradients[name]!.biases, g.biases), `${name} biases`).toBeLessThanOrEqual(1e-12);
  }
  expect(Math.abs(mine.meanLoss - theirs.meanLoss)).toBeLessThanOrEqual(1e-12 * Math.abs(theirs.meanLoss));
}

describe.each([vitSmall, decoder(true), decoder(false), decoderEpsilon])(
  'BP step graph on reference == float64 oracle: $name',
  (network) => {
    const samples = 3;
    const width = network.inputShape.reduce((a, b) => a * b, 1);
    const input = Float64Array.from({ length: samples * width }, (_, i) => Math.sin(i * 1.7));
    const labels = Int32Array.from({ length: samples }, (_, i) => i % 3);

    test('every layer gradient and the loss agree to 1e-12 relative', async () => {
      const params = paramsFor(network, 7);
      const mine = await runtimeGradients(network, params, input, labels);
      const theirs = bp(network, params, { input, labels, size: samples });
      expectSameStep(mine, theirs);
    });
  },
);

test('the bridge fails where the causal mask is lost: the causal and the unmasked decoder differ', async () => {
  const [causal, open] = [decoder(true), decoder(false)];
  const params = paramsFor(causal, 7);
  const input = Float64Array.from({ length: 3 * 40 }, (_, i) => Math.sin(i * 1.7));
  const labels = Int32Array.of(0, 1, 2);
  const masked = await runtimeGradients(causal, params, input, labels);
  const unmasked = bp(open, params, { input, labels, size: 3 });
  const q = unmasked.gradients.get('block.qkv')!.weights;
  expect(relativeError(masked.gradients['block.qkv']!.weights, q)).toBeGreaterThan(1e-3);
});

test('the bridge fails where a LayerNorm epsilon is lost: epsilon 0.5 and the default differ', async () => {
  const params = paramsFor(decoderEpsilon, 7);
  const input = Float64Array.from({ length: 3 * 40 }, (_, i) => Math.sin(i * 1.7));
  const labels = Int32Array.of(0, 1, 2);
  const mine = await runtimeGradients(decoderEpsilon, params, input, labels);
  const plain = bp(decoder(false), params, { input, labels, size: 3 });
  expect(relativeError(mine.gradients['ln']!.weights, plain.gradients.get('ln')!.weights)).toBeGreaterThan(1e-3);
});

// LR-family steps on the same networks: the runtime's noise on every (token, feature) value with sigma
// per feature, its token linear products summed over the tokens and the LayerNorm, class-token and
// position products give the float64 LR/ALR oracle's gradients (src/estimators/lr.ts) for the same seed
// and step (the same counter-based draws). ES and AES perturb the weights instead: K perturbed copies of
// every parameter set (the LayerNorm scale and shift, the class token and the position table included)
// each run the batch (copy-major rows), and the runtime's step equals the float64 ES oracle's
// (src/estimators/es.ts). A runtime that read copy 0's class token or position table for every copy
// would differ.
const lrCases: MethodOptions[] = [
  { ...bpOptions, method: 'lr', copies: 4, sigma: 0.1, baseline: 'mean' },
  { ...bpOptions, method: 'lr', copies: 4, sigma: 0.05, baseline: 'leave-one-out', layerwise: true },
  { ...bpOptions, method: 'alr', copies: 4, sigma: 0.1, baseline: 'mean' },
  { ...bpOptions, method: 'alr', copies: 4, sigma: 0.1, baseline: 'mean', encoding: 'sign-signal', antithetic: true },
  { ...bpOptions, method: 'hybrid', copies: 4, sigma: 0.1, baseline: 'mean' },
  { ...bpOptions, method: 'a-hybrid', copies: 4, sigma: 0.1, baseline: 'leave-one-out' },
  { ...bpOptions, method: 'es', copies: 4, sigma: 0.05, baseline: 'mean' },
  { ...bpOptions, method: 'es', copies: 4, sigma: 0.05, baseline: 'leave-one-out', antithetic: true },
  { ...bpOptions, method: 'aes', copies: 4, sigma: 0.05, baseline: 'mean' },
  { ...bpOptions, method: 'aes', copies: 5, sigma: 0.02, baseline: 'none' },
];

describe.each([vitSmall, decoder(true), decoderEpsilon])(
  'LR-family and ES step graphs on reference == float64 oracle: $name',
  (network) => {
    const samples = 3;
    const width = network.inputShape.reduce((a, b) => a * b, 1);
    const input = Float64Array.from({ length: samples * width }, (_, i) => Math.sin(i * 1.7));
    const labels = Int32Array.from({ length: samples }, (_, i) => i % 3);
    test.each(lrCases)(
      '$method K=$copies baseline=$baseline $encoding antithetic=$antithetic layerwise=$layerwise',
      async (options) => {
        const params = paramsFor(network, 7);
        const mine = await runtimeGradients(network, params, input, labels, options);
        const theirs = estimate(
          network,
          params,
          { input, labels, size: samples },
          {
            method: options.method,
            copies: options.copies,
            sigma: options.sigma,
            baseline: options.baseline,
            antithetic: options.antithetic,
            layerwise: options.layerwise,
            alrEncoding: options.encoding,
            seed: 5,
            step: 3,
          },
        );
        expectSameStep(mine, theirs);
      },
    );
  },
);

test('learned sigma on the causal decoder: one sigma per feature, its gradient summed over the tokens, equal to the oracle', async () => {
  const network = decoder(true);
  const options: MethodOptions = {
    ...bpOptions,
    method: 'lr',
    copies: 4,
    sigma: 0.1,
    baseline: 'mean',
    learnSigma: { lr: 1e-3, min: 1e-4 },
  };
  const params = paramsFor(network, 3);
  const runtime = await Runtime.create({
    network: stepSource(network),
    backend: 'reference',
    method: options,
    seed: 7,
    optimizer: { kind: 'sgd', momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  });
  for (const [name, p] of params)
    runtime.params[name] = { weights: Float64Array.from(p.weights), biases: Float64Array.from(p.biases) };
  // A different sigma for every feature, so a (token, feature) indexing slip cannot cancel out.
  const sigma = new Map(
    paramLayers(network.layers).map((layer, l) => [
      layer.name,
      Float64Array.from({ length: outputChannels(layer) }, (_, c) => 0.05 + (0.1 * (((l + 1) * (c + 3)) % 7)) / 6),
    ]),
  );
  runtime.sigma!.values = new Map([...sigma].map(([k, v]) => [k, Float64Array.from(v)]));
  const input = Float64Array.from({ length: 3 * 40 }, (_, i) => Math.cos(i * 1.3));
  const labels = Int32Array.of(1, 2, 0);
  const mine = await runtime.gradients({ x: input, labels, samples: 3 }, 2);
  await runtime.dispose();
  const batch = { input, labels, size: 3 };
  const theirs = estimate(network, params, batch, {
    method: 'lr',
    copies: 4,
    sigma,
    baseline: 'mean',
    seed: 7,
    step: 2,
    learnSigma: true,
  });
  for (const [name, g] of theirs.gradients) {
    expect(relativeError(mine.gradients[name]!.weights, g.weights), `${name} weights`).toBeLessThanOrEqual(1e-12);
    expect(mine.sigmaGradients![name]!.length, `${name} sigma values`).toBe(
      outputChannels(paramLayers(network.layers).find((l) => l.name === name)!),
    );
    expect(relativeError(mine.sigmaGradients![name]!, g.sigma!), `${name} sigma`).toBeLessThanOrEqual(1e-12);
  }
});

// The ES/AES token path on the float32 backends (their LayerNorm, gather and add kernels per perturbed
// parameter set): the small ViT's step agrees with the float64 oracle to float32 precision (measured
// worst 6.5e-6 relative on tfjs-wasm, 4.0e-6 on gpu.js cpu, 3.2e-6 on webasm). Skipped where a backend
// cannot run.
describe.each(['tfjs-wasm', 'cpu', 'webasm'] as const)('ES and AES on %s == float64 oracle to 1e-4', (backend) => {
  test.for(['es', 'aes'] as const)('%s', async (method, { skip }) => {
    const status = await detectBackend(backend);
    if (!status.works) skip(`${backend} cannot run here: ${status.reason}`);
    const options: MethodOptions = { ...bpOptions, method, copies: 4, sigma: 0.1, baseline: 'mean' };
    const params = paramsFor(vitSmall, 7);
    const input = Float64Array.from({ length: 3 * 48 }, (_, i) => Math.sin(i * 1.7));
    const labels = Int32Array.of(0, 1, 2);
    const mine = await runtimeGradients(vitSmall, params, input, labels, options, backend);
    const batch = { input, labels, size: 3 };
    const theirs = estimate(vitSmall, params, batch, {
      method,
      copies: 4,
      sigma: 0.1,
      baseline: 'mean',
      seed: 5,
      step: 3,
    });
    for (const [name, g] of theirs.gradients)
      expect(relativeError(mine.gradients[name]!.weights, g.weights), `${name} weights`).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(mine.meanLoss - theirs.meanLoss)).toBeLessThanOrEqual(1e-5 * theirs.meanLoss);
  });
});

// Token reachability (src/models/token-reach.ts): in the vision transformer the head reads the class
// token only, so the last block's proj, ln2, fc1, fc2 and the final LayerNorm reach the loss on token 0
// alone and LR/ALR drop their error signal on the other tokens. The runtime does as the oracle does (the
// cases above), through the kept error signal (all noisy) and the fold's copy sums (layer-wise); a
// runtime that kept those tokens' terms equals the oracle with dropUnreachable false, which differs.
test.each([
  { ...bpOptions, method: 'lr' as const, copies: 4, sigma: 0.1, baseline: 'mean' as const },
  { ...bpOptions, method: 'alr' as const, copies: 4, sigma: 0.1, baseline: 'mean' as const, layerwise: true },
])('$method layerwise=$layerwise on the vision transformer drops the tokens that cannot reach the loss', async (o) => {
  const samples = 3;
  const width = vitSmall.inputShape.reduce((a, b) => a * b, 1);
  const input = Float64Array.from({ length: samples * width }, (_, i) => Math.sin(i * 1.7));
  const labels = Int32Array.from({ length: samples }, (_, i) => i % 3);
  const params = paramsFor(vitSmall, 7);
  const mine = await runtimeGradients(vitSmall, params, input, labels, o);
  const batch = { input, labels, size: samples };
  const common = { method: o.method, copies: 4, sigma: 0.1, layerwise: o.layerwise, seed: 5, step: 3 };
  const kept = estimate(vitSmall, params, batch, { ...common, baseline: 'mean', dropUnreachable: false });
  const dropped = [...liveTokensOf(vitSmall).keys()].sort();
  expect(dropped).toEqual(['block2.fc1', 'block2.fc2', 'block2.ln2', 'block2.proj', 'ln']);
  for (const [name, g] of kept.gradients) {
    const error = relativeError(mine.gradients[name]!.weights, g.weights);
    if (dropped.includes(name)) expect(error, `${name} differs`).toBeGreaterThan(1e-3);
    else expect(error, `${name} equal`).toBeLessThanOrEqual(1e-12);
  }
});

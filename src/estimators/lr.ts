// LR and ALR estimators (METHOD.md 2-3): K noisy copies of each sample in one forward pass over the
// shared forward, noise on every parametrised layer's output (on a token sequence every (token,
// feature) value, sigma per feature; or on one layer per pass with layer-wise injection), then per
// layer one gradient product of error signals with the stored layer input.
// ALR keeps only the noise sign bits: 'sign-noise' (default) scales signs by sqrt(pi/2), 'sign-signal'
// uses sign(baselined loss) * sign(noise). No backward chain anywhere.
import { errorSignal, softmaxCrossEntropy, type BatchnormStats } from '../../kernels/reference/index.js';
import { InvalidInputError } from '../errors.js';
import { paramLayers, type Network } from '../models/layers.js';
import { baselines } from './baselines.js';
import { forward, noiseLayout, type TraceEntry } from './forward.js';
import { copySum, repeatRows } from '../../kernels/reference/copy-rows.js';
import { gradientProduct } from './gradient-product.js';
import { keepStats, KeptBytesAccount, maxKept } from './kept-bytes.js';
import { NoiseStore } from './noise-store.js';
import { sigmaMap } from './params.js';
import { layerOutputShape } from '../models/shapes.js';
import { liveTokensOf, zeroUnreachable, type LiveTokens } from '../models/token-reach.js';
import { validateBatch, validateCopies } from './validate-input.js';
import type { Batch, EstimatorOptions, RowLoss, GradientResult, KeptBytes, LayerGradient, Params } from './types.js';

const defaultRowLoss: RowLoss = (outputs, labels, rows, classes) =>
  softmaxCrossEntropy(outputs, labels, rows, classes).losses;

interface Setup {
  network: Network;
  params: Params;
  batch: Batch;
  options: Required<Omit<EstimatorOptions, 'sigma' | 'rowLoss' | 'noisyLayers' | 'bpLayers'>>;
  rowLoss: RowLoss;
  /** Layers whose error signal is dropped on the tokens that cannot reach the loss. */
  liveTokens: Map<string, LiveTokens>;
  sigma: Map<string, Float64Array>;
  bnStats: Map<string, BatchnormStats>;
}

export function lr(network: Network, params: Params, batch: Batch, options: EstimatorOptions): GradientResult {
  const setup = prepare(network, params, batch, options);
  const names = paramLayers(network.layers).map((l) => l.name);
  const noisy = [...names.keys()].filter((i) => options.noisyLayers?.includes(names[i]!) ?? true);
  const targets = setup.options.layerwise ? noisy.map((i) => new Set([i])) : [new Set(noisy)];
  const passes = targets.map((t) => runPass(setup, t));
  const gradients = new Map<string, LayerGradient>();
  for (const pass of passes) for (const [name, g] of pass.gradients) gradients.set(name, g);
  const meanLoss = passes.reduce((s, p) => s + p.meanLoss, 0) / passes.length;
  return { method: setup.options.method, gradients, meanLoss, kept: maxKept(passes.map((p) => p.kept)) };
}

function prepare(network: Network, params: Params, batch: Batch, options: EstimatorOptions): Setup {
  validateBatch(network, params, batch);
  validateCopies(options.copies);
  const alr = options.method === 'alr';
  const resolved = {
    method: options.method,
    copies: options.copies,
    learnSigma: options.learnSigma ?? false,
    baseline: options.baseline ?? 'none',
    antithetic: options.antithetic ?? false,
    layerwise: options.layerwise ?? false,
    dropUnreachable: options.dropUnreachable ?? true,
    qmc: options.qmc ?? false,
    alrEncoding: options.alrEncoding ?? 'sign-noise',
    noiseStorage: options.noiseStorage ?? (alr ? 'sign-bits' : 'float'),
    seed: options.seed ?? 0,
    step: options.step ?? 0,
    floatBytes: options.floatBytes ?? 4,
  } as const;
  if (!alr && resolved.noiseStorage === 'sign-bits') {
    throw new InvalidInputError(
      `lr: noiseStorage 'sign-bits' loses the noise magnitudes LR needs; allowed: 'float' or 'regenerate'. Hint: use method 'alr'`,
    );
  }
  const sigma = sigmaMap(network, options.sigma);
  const { bnStats } = forward({ network, params, input: batch.input, rows: batch.size, keep: 'none' });
  const liveTokens = resolved.dropUnreachable ? liveTokensOf(network) : new Map<string, LiveTokens>();
  const rowLoss = options.rowLoss ?? defaultRowLoss;
  return { network, params, batch, options: resolved, sigma, bnStats, rowLoss, liveTokens };
}

interface PassResult {
  gradients: Map<string, LayerGradient>;
  meanLoss: number;
  kept: KeptBytes;
}

function runPass(s: Setup, targets: ReadonlySet<number>): PassResult {
  const { network, batch, options: o } = s;
  const N = batch.size;
  const K = o.copies;
  const rows = N * K;
  const account = new KeptBytesAccount(o.floatBytes);
  const store = new NoiseStore(o.noiseStorage, account);
  const noise = (layer: { name: string }, index: number, _rows: number, units: number): Float64Array | undefined =>
    targets.has(index)
      ? store.draw(layer.name, {
          seed: o.seed,
          step: o.step,
          layer: index,
          samples: N,
          copies: K,
          units,
          antithetic: o.antithetic,
          qmc: o.qmc,
        })
      : undefined;
  const { logits, trace } = forward({
    network,
    params: s.params,
    input: repeatRows(batch.input, N, K),
    rows,
    copies: K,
    sigma: s.sigma,
    noise,
    bnStats: s.bnStats,
    keep: 'param-inputs',
    keepOnly: targets,
  });
  const entries = flatParamEntries(trace);
  for (const e of entries) {
    account.keep('activation', e.input, e.layer.name);
    const stats = s.bnStats.get(e.layer.name);
    if (stats) keepStats(account, stats, e.layer.name);
  }
  const labels = Int32Array.from({ length: rows }, (_, r) => batch.labels[Math.floor(r / K)]!);
  const losses = s.rowLoss(logits, labels, rows, network.classes);
  account.keep('loss', losses);
  const shaped = baselines(losses, N, K, o.baseline);
  const gradients = new Map(entries.map((e) => [e.layer.name, layerGradient(s, e, store, shaped)] as const));
  return { gradients, meanLoss: losses.reduce((a, b) => a + b, 0) / rows, kept: account.result() };
}

type ParamEntry = Extract<TraceEntry, { kind: 'param' }>;

function flatParamEntries(trace: readonly TraceEntry[]): ParamEntry[] {
  return trace.flatMap((e) =>
    e.kind === 'param' ? [e] : e.kind === 'residual' ? flatParamEntries([...e.body, ...e.shortcut]) : [],
  );
}

/** Error signals of one layer from its kept noise and the (baselined) losses, then the gradient product. */
function layerGradient(s: Setup, e: ParamEntry, store: NoiseStore, losses: Float64Array): LayerGradient {
  const { options: o, batch } = s;
  const N = batch.size;
  const K = o.copies;
  const outShape = layerOutputShape(e.layer, e.inputShape);
  const layerSigma = s.sigma.get(e.layer.name)!;
  const { sigma, ...layout } = noiseLayout(outShape, layerSigma);
  const dims = { rows: N * K, ...layout };
  const live = s.liveTokens.get(e.layer.name);
  const signal = errorSignalFor(o, e.layer.name, store, losses, sigma, dims);
  const delta = live ? zeroUnreachable(signal, live) : signal;
  const summed = e.copyInvariant ? copySum(delta, N, K) : delta;
  const grad = gradientProduct({
    layer: e.layer,
    delta: summed,
    input: e.input,
    inputShape: e.inputShape,
    rows: e.rows,
    normaliser: N * K,
    bnStats: s.bnStats.get(e.layer.name),
  });
  if (!o.learnSigma) return grad;
  const perChannel = sigmaGradient(store.floats(e.layer.name), losses, sigma, dims);
  // On a token sequence each feature's sigma gets the sum over its tokens.
  const folded = new Float64Array(layerSigma.length);
  perChannel.forEach((g, c) => (folded[c % folded.length]! += g));
  return { ...grad, sigma: folded };
}

function errorSignalFor(
  o: Setup['options'],
  name: string,
  store: NoiseStore,
  losses: Float64Array,
  sigma: Float64Array,
  dims: { rows: number; channels: number; spatial: number },
): Float64Array {
  if (o.method !== 'alr') return errorSignal(losses, store.floats(name), sigma, dims);
  switch (o.alrEncoding) {
    case 'sign-noise':
      return errorSignal(losses, store.signs(name), sigma, dims, Math.sqrt(Math.PI / 2));
    case 'sign-signal':
      return errorSignal(losses.map(Math.sign), store.signs(name), sigma, dims);
    default:
      return o.alrEncoding satisfies never;
  }
}

/** d F / d sigma_c = E[L (eps^2 - 1) / sigma_c] (METHOD.md 2.1), summed over spatial positions. */
export function sigmaGradient(
  eps: Float64Array,
  losses: Float64Array,
  sigma: Float64Array,
  dims: { rows: number; channels: number; spatial: number },
): Float64Array {
  const g = new Float64Array(dims.channels);
  const width = dims.channels * dims.spatial;
  for (let r = 0; r < dims.rows; r++) {
    for (let i = 0; i < width; i++) {
      const c = Math.floor(i / dims.spatial);
      g[c]! += (losses[r]! * (eps[r * width + i]! ** 2 - 1)) / sigma[c]!;
    }
  }
  return g.map((v) => v / dims.rows);
}

// Expansion for ES and AES: noise in weight space. Each parametrised layer's parameters get K
// perturbed copies (noise kept as floats for ES, as sign bits for AES, or regenerated), the
// forward runs the N samples through every copy as grouped products (N*K rows; parameter-free
// layers before the first parametrised one run once on the N samples), and each layer's
// gradient is one K-row product of its noise with the per-copy loss. No layer inputs are kept.
import type { Graph } from '../ir/types.js';
import { paramLayers, type Layer, type Network, type ParamLayer } from '../models/layers.js';
import { ForwardEmitter } from './expand-forward.js';
import {
  cleanBatchStats,
  lossSize,
  gradientTensor,
  methodAttributes,
  optimizerUpdate,
  parameterTotal,
  removeDeadCode,
  startExpansion,
  type ExpandContext,
  type ExpandOptions,
} from './expand-common.js';
import type { MethodRules } from './methods/rules.js';

function perturb(ctx: ExpandContext, layer: ParamLayer, stored: Map<string, string | undefined>): string {
  const { b, options } = ctx;
  const K = options.copies;
  const elements = K * parameterTotal(layer);
  const shape = [K, parameterTotal(layer)];
  const base = { phase: 'forward' as const, layer: layer.name, perStep: true, elements };
  const copies = b.tensor({
    id: `${layer.name}.params.copies`,
    shape,
    dtype: b.floatDtype,
    cls: 'weight',
    layer: layer.name,
  });
  const noise =
    options.noiseStorage === 'regenerate'
      ? undefined
      : b.tensor({ id: `${layer.name}.noise`, shape, dtype: b.floatDtype, cls: 'noise', layer: layer.name });
  b.node({
    ...base,
    ...methodAttributes(ctx).noise,
    id: `${layer.name}.perturb`,
    kind: 'NoiseInject',
    storage: options.noiseStorage,
    inputs: [ctx.params.get(layer.name)!],
    outputs: noise ? [copies, noise] : [copies],
  });
  if (noise && options.noiseStorage === 'sign-bits') {
    const signs = b.tensor({ id: `${layer.name}.signs`, shape, dtype: 'bit', cls: 'sign-bits', layer: layer.name });
    b.node({ ...base, id: `${layer.name}.signpack`, kind: 'SignPack', inputs: [noise], outputs: [signs] });
    stored.set(layer.name, signs);
  } else {
    stored.set(layer.name, noise);
  }
  return copies;
}

function gradientSource(ctx: ExpandContext, layer: ParamLayer, stored: string | undefined): string {
  const { b, options } = ctx;
  const shape = [options.copies, parameterTotal(layer)];
  const base = {
    phase: 'gradient' as const,
    layer: layer.name,
    perStep: true,
    elements: options.copies * parameterTotal(layer),
  };
  let source = stored;
  if (!source) {
    source = b.tensor({ id: `${layer.name}.noise.regen`, shape, dtype: b.floatDtype, cls: 'noise', layer: layer.name });
    b.node({
      ...base,
      ...methodAttributes(ctx).noise,
      id: `${layer.name}.regenerate`,
      kind: 'NoiseInject',
      storage: 'regenerate',
      inputs: [],
      outputs: [source],
    });
  }
  if (!ctx.rules.readsNoiseSigns || b.get(source).dtype === 'bit') return source;
  const signs = b.tensor({ id: `${layer.name}.signs.late`, shape, dtype: 'bit', cls: 'sign-bits', layer: layer.name });
  b.node({ ...base, id: `${layer.name}.signpack.late`, kind: 'SignPack', inputs: [source], outputs: [signs] });
  return signs;
}

/** The loss of every row, summed per copy over the batch and broadcast to each layer's gradient product. */
function emitLossPerCopy(ctx: ExpandContext, logits: string, N: number, K: number): string[] {
  const { b } = ctx;
  const loss = b.tensor({ id: 'loss', shape: [N * K], dtype: b.floatDtype, cls: 'loss' });
  b.node({
    id: 'loss.ce',
    kind: 'Loss',
    phase: 'loss',
    inputs: [logits, 'labels'],
    outputs: [loss],
    rows: N * K,
    ...lossSize(ctx),
    ...methodAttributes(ctx).loss,
  });
  const perCopy = b.tensor({ id: 'loss.per-copy', shape: [K], dtype: b.floatDtype, cls: 'loss' });
  b.node({
    id: 'loss.reduce',
    kind: 'Reduce',
    phase: 'gradient',
    perStep: true,
    inputs: [loss],
    outputs: [perCopy],
    elements: K,
    factor: N,
    copies: K,
  });
  const targets = ctx.layers.map((layer) =>
    b.tensor({ id: `loss@${layer.name}`, shape: [K], dtype: b.floatDtype, cls: 'loss', layer: layer.name }),
  );
  b.node({
    id: 'loss.broadcast',
    kind: 'LossBroadcast',
    phase: 'communication',
    perStep: true,
    inputs: [perCopy],
    outputs: targets,
    rows: K,
    targets: targets.length,
  });
  return targets;
}

/**
 * The layers before the first parametrised one (a pool or activation on the input) read no weights, so
 * every copy would compute the same: they run once on the N samples, and the first parametrised layer
 * shares their N rows among its K copies as it shares the input's. Returns their output and the rest.
 */
function emitCopyInvariantPrefix(ctx: ExpandContext, network: Network, N: number): { x: string; rest: Layer[] } {
  const first = network.layers.findIndex((layer) => paramLayers([layer]).length > 0);
  if (first <= 0) return { x: 'x', rest: network.layers };
  const noParams = (layer: ParamLayer): string => {
    throw new Error(`expand: ${layer.name} has parameters but comes before the first parametrised layer`);
  };
  const emitter = new ForwardEmitter(ctx.b, ctx.shapes, { params: noParams, afterParam: (_layer, z) => z }, N, 1, '');
  return { x: emitter.sequence(network.layers.slice(0, first), 'x'), rest: network.layers.slice(first) };
}

export function expandEs(network: Network, options: ExpandOptions, rules: MethodRules): Graph {
  const N = options.batch;
  const K = options.copies;
  const ctx = startExpansion(network, options, N, rules);
  const { b } = ctx;
  const stored = new Map<string, string | undefined>();
  const copies = new Map<string, string>();
  const batchStats = cleanBatchStats(ctx);
  const emitter = new ForwardEmitter(
    b,
    ctx.shapes,
    {
      ...(batchStats ? { batchStats } : {}),
      params: (layer) => copies.get(layer.name) ?? copies.set(layer.name, perturb(ctx, layer, stored)).get(layer.name)!,
      afterParam: (_layer, z) => z,
    },
    N * K,
    K,
    '',
  );
  const prefix = emitCopyInvariantPrefix(ctx, network, N);
  const logits = emitter.sequence(prefix.rest, prefix.x);
  const targets = emitLossPerCopy(ctx, logits, N, K);
  ctx.layers.forEach((layer, i) => {
    const source = gradientSource(ctx, layer, stored.get(layer.name));
    const gradient = gradientTensor(ctx, layer);
    b.node({
      id: `${layer.name}.gradprod`,
      kind: 'GradProduct',
      phase: 'gradient',
      layer: layer.name,
      perStep: true,
      inputs: [source, targets[i]!],
      outputs: [gradient],
      m: parameterTotal(layer),
      n: 1,
      k: K,
      groups: 1,
      signs: b.get(source).dtype === 'bit',
      ...methodAttributes(ctx).product,
    });
    optimizerUpdate(ctx, layer, gradient);
  });
  return removeDeadCode(b.build());
}

// Expansion for LR and ALR: K noisy copies folded into the rows (N*K rows everywhere; the fold
// pass later shrinks copy-invariant work back to N rows), noise injected on every parametrised
// layer's pre-activation (or, layer-wise, on one layer per forward pass), ALR packs the noise signs
// into bits, one loss per row, the loss vector broadcast to every layer, and one independent
// gradient product per layer that reads only the layer's stored input, its noise (or sign bits)
// and the loss vector: no backward chain. With learned sigma every noisy layer reads its sigma
// tensor, and a sigma gradient (from the float noise, kept or regenerated, and the pass's baselined
// loss) feeds the sigma's own optimizer update.
import { elementCount } from '../ir/graph.js';
import { sigmaTensorId } from '../ir/method-rules.js';
import type { Graph } from '../ir/types.js';
import { branchLayers, outputChannels, type Layer, type Network, type ParamLayer } from '../models/layers.js';
import { liveTokensOf } from '../models/token-reach.js';
import { ForwardEmitter, type BatchStats } from './expand-forward.js';
import {
  batchStatsInput,
  cleanBatchStats,
  gradDims,
  lossSize,
  gradientTensor,
  methodAttributes,
  optimizerUpdate,
  removeDeadCode,
  startExpansion,
  type ExpandContext,
  type ExpandOptions,
} from './expand-common.js';
import type { MethodRules } from './methods/rules.js';

export interface NoisyLayer {
  layer: ParamLayer;
  prefix: string;
  storedInput: string;
  /** Stored noise or sign bits; undefined when the noise is regenerated after the loss. */
  stored?: string;
  loss: string;
  /** The pass's baselined loss as floats: `loss`, or under ALR sign-signal the Loss node's second output. */
  lossValues: string;
  rows: number;
  /** A batchnorm layer's statistics (the clean pass's), which its gradient product reads. */
  stats?: string;
}

/** The layer's learned-sigma tensor as a node input ([] when sigma is the run's scalar). */
function sigmaInput(ctx: ExpandContext, layer: ParamLayer): string[] {
  return ctx.switches.learnedSigma ? [sigmaTensorId(layer.name)] : [];
}

/** A noise node's layout attribute: spatial where the layer's output has positions (conv, batchnorm). */
function layoutOf(outShape: readonly number[]): { spatial?: true } {
  return outShape.length > 1 ? { spatial: true } : {};
}

function injectNoise(
  ctx: ExpandContext,
  prefix: string,
  layer: ParamLayer,
  z: string,
  rows: number,
): { noisy: string; stored?: string } {
  const { b } = ctx;
  const outShape = ctx.shapes.get(layer.name)!.output;
  const elements = rows * elementCount(outShape);
  const storage = ctx.options.noiseStorage;
  const tensor = (suffix: string, cls: 'activation' | 'noise' | 'sign-bits'): string =>
    b.tensor({
      id: `${prefix}${layer.name}.${suffix}`,
      shape: [rows, ...outShape],
      dtype: cls === 'sign-bits' ? 'bit' : b.floatDtype,
      cls,
      layer: layer.name,
    });
  const noisy = tensor('noisy', 'activation');
  const noise = storage === 'regenerate' ? undefined : tensor('noise', 'noise');
  const base = { phase: 'forward' as const, layer: layer.name, elements };
  const inputs = [z, ...sigmaInput(ctx, layer)];
  const attributes = { ...methodAttributes(ctx).noise, ...layoutOf(outShape) };
  b.node({
    ...base,
    ...attributes,
    id: `${prefix}${layer.name}.inject`,
    kind: 'NoiseInject',
    storage,
    inputs,
    outputs: noise ? [noisy, noise] : [noisy],
  });
  if (storage !== 'sign-bits' || !noise) return { noisy, stored: noise };
  const signs = tensor('signs', 'sign-bits');
  b.node({ ...base, id: `${prefix}${layer.name}.signpack`, kind: 'SignPack', inputs: [noise], outputs: [signs] });
  return { noisy, stored: signs };
}

/** The layer's float noise: the kept floats, else regenerated from the counter RNG after the loss (once per layer). */
function floatNoise(ctx: ExpandContext, l: NoisyLayer): string {
  const { b } = ctx;
  if (l.stored && b.get(l.stored).dtype !== 'bit') return l.stored;
  const id = `${l.prefix}${l.layer.name}.noise.regen`;
  if (b.has(id)) return id;
  const outShape = ctx.shapes.get(l.layer.name)!.output;
  b.tensor({ id, shape: [l.rows, ...outShape], dtype: b.floatDtype, cls: 'noise', layer: l.layer.name });
  const base = { phase: 'gradient' as const, layer: l.layer.name, elements: l.rows * elementCount(outShape) };
  const attributes = { ...methodAttributes(ctx).noise, ...layoutOf(outShape) };
  b.node({
    ...base,
    ...attributes,
    id: `${l.prefix}${l.layer.name}.regenerate`,
    kind: 'NoiseInject',
    storage: 'regenerate',
    inputs: [],
    outputs: [id],
  });
  return id;
}

/** Noise or sign bits as the gradient product reads them: regenerated and/or sign-packed if needed. */
function gradientSource(ctx: ExpandContext, l: NoisyLayer): string {
  const { b } = ctx;
  const source = l.stored ?? floatNoise(ctx, l);
  if (!ctx.rules.readsNoiseSigns || b.get(source).dtype === 'bit') return source;
  const outShape = ctx.shapes.get(l.layer.name)!.output;
  const signs = b.tensor({
    id: `${l.prefix}${l.layer.name}.signs.late`,
    shape: [l.rows, ...outShape],
    dtype: 'bit',
    cls: 'sign-bits',
    layer: l.layer.name,
  });
  b.node({
    phase: 'gradient',
    layer: l.layer.name,
    elements: l.rows * elementCount(outShape),
    id: `${l.prefix}${l.layer.name}.signpack.late`,
    kind: 'SignPack',
    inputs: [source],
    outputs: [signs],
  });
  return signs;
}

/** Learned sigma: the layer's sigma gradient, from its float noise and its pass's baselined loss, and the sigma's update. */
function learnSigma(ctx: ExpandContext, l: NoisyLayer): void {
  const { b } = ctx;
  const sigma = sigmaTensorId(l.layer.name);
  const channels = b.get(sigma).shape[0]!;
  const noise = floatNoise(ctx, l);
  const gradient = b.tensor({
    id: `${sigma}.grad`,
    shape: [channels],
    dtype: b.floatDtype,
    cls: 'gradient',
    layer: l.layer.name,
  });
  b.node({
    id: `${l.layer.name}.sigma-grad`,
    kind: 'SigmaGrad',
    phase: 'gradient',
    layer: l.layer.name,
    inputs: [noise, l.lossValues, sigma],
    outputs: [gradient],
    elements: elementCount(b.get(noise).shape),
    channels,
    normaliser: methodAttributes(ctx).product.normaliser,
  });
  optimizerUpdate(ctx, l.layer, gradient, 'sigma');
}

/** The pass's Loss node; with learned sigma under ALR sign-signal it also emits the float baselined loss the sigma gradient reads. */
function lossOf(ctx: ExpandContext, prefix: string, logits: string, rows: number): { loss: string; values: string } {
  const { b } = ctx;
  const attributes = methodAttributes(ctx).loss;
  const tensor = (id: string): string => b.tensor({ id, shape: [rows], dtype: b.floatDtype, cls: 'loss' });
  const loss = tensor(`${prefix}loss`);
  const values =
    attributes.emits === 'loss-signs' && ctx.switches.learnedSigma ? tensor(`${prefix}loss.values`) : undefined;
  const outputs = values ? [loss, values] : [loss];
  b.node({
    id: `${prefix}loss.ce`,
    kind: 'Loss',
    phase: 'loss',
    inputs: [logits, 'labels'],
    outputs,
    rows,
    ...lossSize(ctx),
    ...attributes,
  });
  return { loss, values: values ?? loss };
}

/** All layers (hybrids: the `noisy` ones) noisy in one forward pass: the forward-only mode. */
export function allNoisy(
  ctx: ExpandContext,
  rows: number,
  batchStats: BatchStats | undefined,
  layers: readonly ParamLayer[] = ctx.layers,
  reuse?: (layer: Layer) => string | undefined,
): NoisyLayer[] {
  const noisy = new Set(layers.map((l) => l.name));
  const stored = new Map<string, string | undefined>();
  const emitter = new ForwardEmitter(
    ctx.b,
    ctx.shapes,
    {
      params: (layer) => ctx.params.get(layer.name)!,
      ...(batchStats ? { batchStats } : {}),
      ...(reuse ? { reuse } : {}),
      afterParam: (layer, z) => {
        if (!noisy.has(layer.name)) return z;
        const injected = injectNoise(ctx, '', layer, z, rows);
        stored.set(layer.name, injected.stored);
        return injected.noisy;
      },
    },
    rows,
    1,
    '',
  );
  const logits = emitter.sequence(ctx.network.layers, 'x');
  const { loss, values } = lossOf(ctx, '', logits, rows);
  const copies = layers.map((layer) =>
    ctx.b.tensor({ id: `loss@${layer.name}`, shape: [rows], dtype: ctx.b.floatDtype, cls: 'loss', layer: layer.name }),
  );
  ctx.b.node({
    id: 'loss.broadcast',
    kind: 'LossBroadcast',
    phase: 'communication',
    inputs: [loss],
    outputs: copies,
    rows,
    targets: layers.length,
  });
  return layers.map((layer, i) => {
    const lossValues = values === loss ? copies[i]! : values;
    return {
      layer,
      prefix: '',
      storedInput: emitter.layerInput.get(layer.name)!,
      stored: stored.get(layer.name),
      loss: copies[i]!,
      lossValues,
      rows,
      ...statsOf(emitter, layer),
    };
  });
}

function statsOf(emitter: ForwardEmitter, layer: ParamLayer): { stats?: string } {
  const stats = emitter.batchStats.get(layer.name);
  return stats === undefined ? {} : { stats };
}

export function containsLayer(layer: Network['layers'][number], name: string): boolean {
  return layer.name === name || (layer.kind === 'residual' && branchLayers(layer).some((l) => containsLayer(l, name)));
}

/** Layer-wise injection: one clean chain, then per target layer a pass noisy at that layer only. */
function layerwise(ctx: ExpandContext, rows: number, batchStats: BatchStats | undefined): NoisyLayer[] {
  const params = (layer: ParamLayer): string => ctx.params.get(layer.name)!;
  const stats = batchStats ? { batchStats } : {};
  const clean = new ForwardEmitter(ctx.b, ctx.shapes, { params, afterParam: (_l, z) => z, ...stats }, rows, 1, '');
  clean.sequence(ctx.network.layers, 'x');
  return ctx.layers.map((target) => {
    const prefix = `lw.${target.name}/`;
    let reached = false;
    let stored: string | undefined;
    const emitter = new ForwardEmitter(
      ctx.b,
      ctx.shapes,
      {
        params,
        ...stats,
        reuse: (layer) =>
          reached || containsLayer(layer, target.name) ? undefined : clean.layerOutput.get(layer.name),
        afterParam: (layer, z) => {
          if (layer.name !== target.name) return z;
          reached = true;
          const injected = injectNoise(ctx, prefix, layer, z, rows);
          stored = injected.stored;
          return injected.noisy;
        },
      },
      rows,
      1,
      prefix,
    );
    const logits = emitter.sequence(ctx.network.layers, 'x');
    const { loss, values } = lossOf(ctx, prefix, logits, rows);
    return {
      layer: target,
      prefix,
      storedInput: emitter.layerInput.get(target.name)!,
      stored,
      loss,
      lossValues: values,
      rows,
      ...statsOf(emitter, target),
    };
  });
}

export function expandLr(network: Network, options: ExpandOptions, rules: MethodRules): Graph {
  const rows = options.batch * options.copies;
  const ctx = startExpansion(network, options, rows, rules);
  // Learned sigma: one value per output unit, channel or (on a token sequence) feature, a step source like the weights.
  for (const layer of ctx.switches.learnedSigma ? ctx.layers : []) {
    const channels = outputChannels(layer);
    ctx.b.tensor({
      id: sigmaTensorId(layer.name),
      shape: [channels],
      dtype: ctx.b.floatDtype,
      cls: 'weight',
      layer: layer.name,
    });
  }
  const batchStats = cleanBatchStats(ctx);
  const noisy = options.layerwise ? layerwise(ctx, rows, batchStats) : allNoisy(ctx, rows, batchStats);
  lrGradients(ctx, noisy);
  return removeDeadCode(ctx.b.build());
}

/** Per noisy layer one gradient product from its stored input, its noise (or sign bits) and its pass's loss. */
export function lrGradients(ctx: ExpandContext, noisy: readonly NoisyLayer[]): void {
  const liveTokens = liveTokensOf(ctx.network);
  for (const l of noisy) {
    const live = liveTokens.get(l.layer.name);
    const source = gradientSource(ctx, l);
    const gradient = gradientTensor(ctx, l.layer);
    const signs = ctx.b.get(source).dtype === 'bit';
    const stats = batchStatsInput(l.stats);
    ctx.b.node({
      id: `${l.layer.name}.gradprod`,
      kind: 'GradProduct',
      phase: 'gradient',
      layer: l.layer.name,
      inputs: [l.storedInput, source, l.loss, ...sigmaInput(ctx, l.layer), ...stats.inputs],
      outputs: [gradient],
      ...gradDims(ctx, l.layer, l.rows),
      groups: 1,
      signs,
      ...methodAttributes(ctx).product,
      ...stats.attribute,
      ...(live ? { liveTokens: live } : {}),
    });
    optimizerUpdate(ctx, l.layer, gradient);
    if (ctx.switches.learnedSigma) learnSigma(ctx, l);
  }
}

// Pieces every method's expansion shares: graph metadata, the step's source tensors (input,
// labels, parameters, optimizer state), gradient-product dimensions per layer kind, the optimizer
// update, the batchnorm clean pass and dead-code removal. Not a pass on its own.
import { GraphBuilder } from '../ir/builder.js';
import { elementCount } from '../ir/graph.js';
import type { Graph, GraphMeta, ParamDecl, ParamOp } from '../ir/types.js';
import {
  fanIn,
  outputChannels,
  paramLayers,
  parameterCount,
  type Network,
  type ParamLayer,
  type Shape,
} from '../models/layers.js';
import { inferShapes, labelsPerSample } from '../models/shapes.js';
import { layerNormEpsilonOf } from '../models/transformer-layers.js';
import { ForwardEmitter, type BatchNormLayer, type BatchStats } from './expand-forward.js';
import type { CompileOptions } from './types.js';
import { defaultSwitches, optimizerStateId, sigmaTensorId, type MethodSwitches } from '../ir/method-rules.js';
import { usesCopies, type MethodRules } from './methods/rules.js';

export type ExpandOptions = Pick<
  CompileOptions,
  'method' | 'copies' | 'batch' | 'noiseStorage' | 'layerwise' | 'optimizer' | 'switches' | 'bpLayers'
> & {
  floatBytes?: number;
  /** SGD momentum (absent: 0, no velocity). */
  momentum?: number;
};

/** Floats of optimizer state per updated value: Adam's two moments, SGD's velocity when it has momentum. */
export function stateFloatsPerValue(options: Pick<ExpandOptions, 'optimizer' | 'momentum'>): number {
  if (options.optimizer === 'adam') return 2;
  return (options.momentum ?? 0) > 0 ? 1 : 0;
}

export interface ExpandContext {
  b: GraphBuilder;
  network: Network;
  options: ExpandOptions;
  shapes: Map<string, { input: Shape; output: Shape }>;
  layers: ParamLayer[];
  /** Parameter tensor of each parametrised layer (weights and biases in one buffer). */
  params: Map<string, string>;
  switches: MethodSwitches;
  /** The method's rules (src/compiler/methods): what its nodes carry. */
  rules: MethodRules;
  /** Labels per sample: 1, or the tokens of a network that classifies every token. */
  labelsPerSample: number;
}

/** A Loss node's size attributes: the classes, and the tokens per row when every token has a label. */
export function lossSize(ctx: ExpandContext): { classes: number; tokens?: number } {
  const tokens = ctx.labelsPerSample;
  return { classes: ctx.network.classes, ...(tokens > 1 ? { tokens } : {}) };
}

export function parameterTotal(layer: ParamLayer): number {
  const { weights, biases } = parameterCount(layer);
  return weights + biases;
}

/** A layer's operation and geometry without its name. */
function paramOp(layer: ParamLayer): ParamOp {
  const { name: _, ...op } = layer;
  return op.kind === 'layernorm' ? { ...op, epsilon: layerNormEpsilonOf(op) } : op;
}

/** The declaration of the `stream`-th parametrised layer, whose parameters are `tensor`. */
export function paramDecl(layer: ParamLayer, stream: number, tensor: string): ParamDecl {
  const { weights, biases } = parameterCount(layer);
  const init: ParamDecl['init'] =
    layer.kind === 'batchnorm' || layer.kind === 'layernorm'
      ? { kind: 'constant', weights: 1, biases: 0 }
      : { kind: 'uniform', fanIn: fanIn(layer) };
  return {
    layer: layer.name,
    op: paramOp(layer),
    tensor,
    weights,
    biases,
    channels: outputChannels(layer),
    stream,
    init,
  };
}

export function startExpansion(
  network: Network,
  options: ExpandOptions,
  inputRows: number,
  rules: MethodRules,
): ExpandContext {
  const meta: GraphMeta = {
    network: network.name,
    method: options.method,
    copies: usesCopies(rules) ? options.copies : 1,
    batch: options.batch,
    floatBytes: options.floatBytes ?? 4,
    noiseStorage: options.noiseStorage,
    layerwise: options.layerwise,
  };
  const b = new GraphBuilder(meta);
  const shapes = inferShapes(network);
  const layers = paramLayers(network.layers);
  b.tensor({ id: 'x', shape: [inputRows, ...network.inputShape], dtype: b.floatDtype, cls: 'input' });
  const perSample = labelsPerSample(network);
  b.tensor({ id: 'labels', shape: [options.batch * perSample], dtype: b.floatDtype, cls: 'input' });
  const params = new Map<string, string>();
  layers.forEach((layer, stream) => {
    const tensor = b.tensor({
      id: `${layer.name}.params`,
      shape: [parameterTotal(layer)],
      dtype: b.floatDtype,
      cls: 'weight',
      layer: layer.name,
    });
    params.set(layer.name, tensor);
    b.param(paramDecl(layer, stream, tensor));
  });
  const switches = options.switches ?? defaultSwitches;
  return { b, network, options, shapes, layers, params, switches, rules, labelsPerSample: perSample };
}

/** dW = D^T X with a ones column appended to X, so the bias gradient comes out of the same product. */
export function gradDims(ctx: ExpandContext, layer: ParamLayer, rows: number): { m: number; n: number; k: number } {
  const out = ctx.shapes.get(layer.name)!.output;
  switch (layer.kind) {
    case 'linear':
      // Per token on a sequence: every position is a row of the product.
      return { m: layer.outFeatures, n: layer.inFeatures + 1, k: (rows * elementCount(out)) / layer.outFeatures };
    case 'layernorm':
      return { m: layer.features, n: 2, k: (rows * elementCount(out)) / layer.features };
    case 'class-token':
      return { m: layer.features, n: 1, k: rows };
    case 'position-embedding':
      return { m: layer.tokens * layer.features, n: 1, k: rows };
    case 'conv2d':
      return {
        m: layer.outChannels,
        n: layer.inChannels * layer.kernelSize * layer.kernelSize + 1,
        k: rows * elementCount(out.slice(1)),
      };
    case 'batchnorm':
      return { m: layer.channels, n: 2, k: rows * elementCount(out.slice(1)) };
    default:
      return layer satisfies never;
  }
}

/** A gradient product's batch-statistics input (a batchnorm layer's: its x-hat reads them) and the attribute saying so. */
export function batchStatsInput(stats: string | undefined): { inputs: string[]; attribute: { batchStats?: true } } {
  return stats === undefined ? { inputs: [], attribute: {} } : { inputs: [stats], attribute: { batchStats: true } };
}

export function gradientTensor(ctx: ExpandContext, layer: ParamLayer): string {
  return ctx.b.tensor({
    id: `${layer.name}.grad`,
    shape: [parameterTotal(layer)],
    dtype: ctx.b.floatDtype,
    cls: 'gradient',
    layer: layer.name,
  });
}

/** The optimizer update of a layer's parameters, or (target 'sigma') of its learned sigma. */
export function optimizerUpdate(
  ctx: ExpandContext,
  layer: ParamLayer,
  gradient: string,
  target: 'params' | 'sigma' = 'params',
): void {
  const { b } = ctx;
  const values = target === 'params' ? ctx.params.get(layer.name)! : sigmaTensorId(layer.name);
  const stateId = optimizerStateId(layer.name, target);
  const elements = elementCount(b.get(values).shape);
  const next = b.tensor({
    id: `${values}.next`,
    shape: [elements],
    dtype: b.floatDtype,
    cls: 'weight',
    layer: layer.name,
  });
  const inputs = [values, gradient];
  const outputs = [next];
  const stateFloats = stateFloatsPerValue(ctx.options);
  if (stateFloats > 0) {
    // Adam keeps first and second moments (two floats per value), SGD with momentum a velocity (one).
    const state = { shape: [stateFloats * elements], dtype: b.floatDtype, cls: 'optimizer-state' as const };
    inputs.push(b.tensor({ id: stateId, ...state, layer: layer.name }));
    outputs.push(b.tensor({ id: `${stateId}.next`, ...state, layer: layer.name }));
  }
  const id = target === 'params' ? `${layer.name}.update` : `${layer.name}.sigma.update`;
  const targetAttribute = target === 'sigma' ? { target } : {};
  b.node({
    id,
    kind: 'OptimizerUpdate',
    ...targetAttribute,
    phase: 'update',
    layer: layer.name,
    perStep: true,
    inputs,
    outputs,
    elements,
    optimizer: ctx.options.optimizer,
  });
}

/** The method's attributes of a noisy step's nodes: noise sampling, the Loss node's reading, the gradient product's scaling. */
export function methodAttributes(ctx: ExpandContext) {
  const { copies, batch } = ctx.options;
  const { rules, switches: s } = ctx;
  const rowLayout = rules.rowLayout;
  return {
    noise: { antithetic: s.antithetic, rowLayout, copies },
    loss: { emits: rules.lossEmits(s), baseline: s.baseline, rowLayout, copies },
    // A weight-space product sums over the K copies; an activation-space one over rows.
    product: {
      noiseScale: rules.signScale(s),
      normaliser: batch * copies,
      ...(rowLayout === 'copy-major' ? { space: 'weight' as const, copies } : { space: 'activation' as const }),
    },
  };
}

/**
 * The batchnorm clean pass (METHOD.md 7.3): noisy methods normalise with statistics every copy
 * shares, those of the clean batch under the unperturbed weights. Emits that forward chain on the
 * input's rows (LR/ALR: N*K copies of the N samples, which the fold pass shrinks to N) up to the
 * last batchnorm (dead-code removal drops the rest), each batchnorm writing its statistics tensor,
 * and returns the hook with which the noisy chains read them; undefined without batchnorm.
 */
export function cleanBatchStats(ctx: ExpandContext): BatchStats | undefined {
  return ctx.layers.some((l) => l.kind === 'batchnorm') ? cleanChain(ctx).batchStats : undefined;
}

/**
 * The clean forward chain ('clean/' ids) on the input's rows, through every layer; with batchnorm
 * each batchnorm writes its statistics tensor and `batchStats` is the hook the noisy chains read
 * them with. Hybrid methods backpropagate through this chain.
 */
export function cleanChain(ctx: ExpandContext): { emitter: ForwardEmitter; logits: string; batchStats?: BatchStats } {
  const params = (layer: ParamLayer): string => ctx.params.get(layer.name)!;
  const rows = ctx.b.get('x').shape[0]!;
  const emitter = new ForwardEmitter(ctx.b, ctx.shapes, { params, afterParam: (_l, z) => z }, rows, 1, 'clean/');
  const logits = emitter.sequence(ctx.network.layers, 'x');
  const tensor = (layer: BatchNormLayer): string => emitter.batchStats.get(layer.name)!;
  return { emitter, logits, ...(emitter.batchStats.size > 0 ? { batchStats: { tensor } } : {}) };
}

/** Drops nodes whose outputs nobody reads (the unused tail of a reused clean chain), and their tensors. */
export function removeDeadCode(graph: Graph): Graph {
  const live = new Set<string>();
  const kept = [];
  for (const node of [...graph.nodes].reverse()) {
    const sink = node.kind === 'OptimizerUpdate';
    if (!sink && !node.outputs.some((t) => live.has(t))) continue;
    kept.push(node);
    for (const t of node.inputs) live.add(t);
    for (const t of node.outputs) live.add(t);
  }
  const tensors = Object.fromEntries(Object.entries(graph.tensors).filter(([id]) => live.has(id)));
  return { ...graph, tensors, nodes: kept.reverse() };
}

// The forward nodes of token-sequence layers (src/models/transformer-layers.ts), emitted for
// ForwardEmitter. Attention is a head split, two batched MatMul nodes (Q K^T and probabilities times
// V, one product per row and head) around a Softmax, then a head merge; LayerNorm is one LayerNorm
// node; the rest are TokenOp nodes. Parametrised kinds hand their output to the method's afterParam
// hook, so LR/ALR inject noise there as after a dense layer. Not a pass on its own.
import { elementCount } from '../ir/graph.js';
import type { TokenOpName } from '../ir/types.js';
import type { GraphBuilder } from '../ir/builder.js';
import type { TokenLayer, TokenParamLayer } from '../models/transformer-layers.js';

/** What token layers need of expand-forward's ForwardEmitter (which this file does not import). */
export interface ForwardEmitter {
  readonly b: GraphBuilder;
  readonly rows: number;
  readonly hooks: {
    params(layer: TokenParamLayer): string;
    afterParam(layer: TokenParamLayer, z: string): string;
  };
  readonly attention: Map<string, AttentionTensors>;
  activation(name: string, layer: string, perSample: readonly number[]): string;
  outShape(layer: TokenLayer): readonly number[];
  inShape(layer: TokenLayer): readonly number[];
  id(layer: TokenLayer, suffix: string): string;
  base(layer: TokenLayer): { layer: string; phase: 'forward' };
  elements(layer: TokenLayer): number;
}

/** What an attention layer's backward reads: the split Q, K, V and the softmax probabilities. */
export interface AttentionTensors {
  q: string;
  k: string;
  v: string;
  probabilities: string;
}

type Attention = Extract<TokenLayer, { kind: 'attention' }>;

export function emitTokenLayer(f: ForwardEmitter, layer: TokenLayer, x: string): string {
  switch (layer.kind) {
    case 'layernorm': {
      const params = f.hooks.params(layer);
      const z = f.activation(`${layer.name}.z`, layer.name, f.outShape(layer));
      f.b.node({
        ...f.base(layer),
        id: f.id(layer, 'ln'),
        kind: 'LayerNorm',
        inputs: [x, params],
        outputs: [z],
        elements: f.elements(layer),
        features: layer.features,
      });
      return f.hooks.afterParam(layer, z);
    }
    case 'class-token':
    case 'position-embedding': {
      const op = layer.kind === 'class-token' ? 'class-token' : 'position';
      const z = tokenOp(f, layer, op, [x, f.hooks.params(layer)], f.elements(layer));
      return f.hooks.afterParam(layer, z);
    }
    case 'attention':
      return attention(f, layer, x);
    case 'tokens':
    case 'class-pool':
      return tokenOp(f, layer, layer.kind, [x], f.elements(layer));
    case 'mean-pool':
      // Reads every token.
      return tokenOp(f, layer, layer.kind, [x], f.rows * elementCount(f.inShape(layer)));
    default:
      return layer satisfies never;
  }
}

/** [tokens, features] of a token op's sequence side (its input, or for `tokens` its output). */
function sequenceOf(f: ForwardEmitter, layer: TokenLayer): { tokens: number; features: number } {
  const shape = layer.kind === 'tokens' || layer.kind === 'class-token' ? f.outShape(layer) : f.inShape(layer);
  const [tokens, features] = shape;
  return { tokens: tokens!, features: features! };
}

function tokenOp(f: ForwardEmitter, layer: TokenLayer, op: TokenOpName, inputs: string[], elements: number): string {
  const out = f.activation(`${layer.name}.out`, layer.name, f.outShape(layer));
  f.b.node({
    ...f.base(layer),
    id: f.id(layer, op),
    kind: 'TokenOp',
    op,
    inputs,
    outputs: [out],
    elements,
    ...sequenceOf(f, layer),
  });
  return out;
}

/** Head split, scores, softmax, context and head merge of one attention layer. */
function attention(f: ForwardEmitter, layer: Attention, qkv: string): string {
  const [tokens, width] = f.outShape(layer) as [number, number];
  const heads = layer.heads;
  const d = width / heads;
  const groups = f.rows * heads;
  const perHead = (suffix: string, columns: number): string =>
    f.b.tensor({
      id: `${f.id(layer, suffix)}`,
      shape: [groups, tokens, columns],
      dtype: f.b.floatDtype,
      cls: 'activation',
      layer: layer.name,
    });
  const [q, k, v] = ['q', 'k', 'v'].map((s) => perHead(s, d)) as [string, string, string];
  const sequence = { tokens, features: width, heads };
  const base = f.base(layer);
  f.b.node({
    ...base,
    id: f.id(layer, 'split'),
    kind: 'TokenOp',
    op: 'split-heads',
    inputs: [qkv],
    outputs: [q, k, v],
    elements: 3 * f.rows * tokens * width,
    ...sequence,
  });
  const scores = perHead('scores', tokens);
  f.b.node({
    ...base,
    id: f.id(layer, 'qk'),
    kind: 'MatMul',
    inputs: [q, k],
    outputs: [scores],
    m: tokens,
    n: tokens,
    k: d,
    groups,
  });
  const probabilities = perHead('probabilities', tokens);
  const softmax = { width: tokens, scale: 1 / Math.sqrt(d), causal: layer.causal };
  f.b.node({
    ...base,
    id: f.id(layer, 'softmax'),
    kind: 'Softmax',
    inputs: [scores],
    outputs: [probabilities],
    elements: groups * tokens * tokens,
    ...softmax,
  });
  const context = perHead('context', d);
  f.b.node({
    ...base,
    id: f.id(layer, 'pv'),
    kind: 'MatMul',
    inputs: [probabilities, v],
    outputs: [context],
    m: tokens,
    n: d,
    k: tokens,
    groups,
  });
  const out = f.activation(`${layer.name}.out`, layer.name, [tokens, width]);
  f.b.node({
    ...base,
    id: f.id(layer, 'merge'),
    kind: 'TokenOp',
    op: 'merge-heads',
    inputs: [context],
    outputs: [out],
    elements: f.rows * tokens * width,
    ...sequence,
  });
  f.attention.set(layer.name, { q, k, v, probabilities });
  return out;
}

/** What a token layer's backward needs of BP's backward emitter. */
export interface BackwardParts {
  rows: number;
  forward: ForwardEmitter;
  /** A gradient tensor shaped like `like`, with the id `${layer}.${suffix}`. */
  gradient(layer: TokenLayer, like: string, suffix: string): string;
}

type ParamFreeTokenLayer = Extract<TokenLayer, { kind: 'attention' | 'tokens' | 'class-pool' | 'mean-pool' }>;

/** BP's nodes for a token layer without parameters; returns the gradient with respect to its input. */
export function emitTokenBackward(p: BackwardParts, layer: ParamFreeTokenLayer, x: string, dy: string): string {
  if (layer.kind === 'attention') return attentionBackward(p, layer, x, dy);
  const f = p.forward;
  const dx = p.gradient(layer, x, 'dx');
  f.b.node({
    phase: 'backward',
    layer: layer.name,
    id: `${layer.name}.dx`,
    kind: 'TokenOp',
    op: layer.kind,
    inputs: [dy],
    outputs: [dx],
    elements: p.rows * elementCount(f.inShape(layer)),
    ...sequenceOf(f, layer),
  });
  return dx;
}

/** Attention's backward: merge undone, dP and dV, the softmax backward, dQ and dK, heads joined into d(Q | K | V). */
function attentionBackward(p: BackwardParts, layer: Attention, qkv: string, dy: string): string {
  const f = p.forward;
  const kept = f.attention.get(layer.name)!;
  const [tokens, width] = f.outShape(layer) as [number, number];
  const d = width / layer.heads;
  const groups = p.rows * layer.heads;
  const sequence = { tokens, features: width, heads: layer.heads };
  const base = { phase: 'backward' as const, layer: layer.name };
  const id = (suffix: string): string => `${layer.name}.${suffix}`;
  const [dContext, dScores, dProbabilities, dQ, dK, dV] = [
    'dcontext',
    'dscores',
    'dprobabilities',
    'dq',
    'dk',
    'dv',
  ].map((s) => p.gradient(layer, s.startsWith('dp') || s === 'dscores' ? kept.probabilities : kept.q, s)) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const product = (suffix: string, inputs: string[], output: string, n: number, k: number): void => {
    f.b.node({ ...base, id: id(suffix), kind: 'MatMul', inputs, outputs: [output], m: tokens, n, k, groups });
  };
  f.b.node({
    ...base,
    id: id('dmerge'),
    kind: 'TokenOp',
    op: 'merge-heads',
    inputs: [dy],
    outputs: [dContext],
    elements: p.rows * tokens * width,
    ...sequence,
  });
  product('dp', [dContext, kept.v], dProbabilities, tokens, d);
  product('dv', [kept.probabilities, dContext], dV, d, tokens);
  const softmax = { width: tokens, scale: 1 / Math.sqrt(d), causal: layer.causal };
  f.b.node({
    ...base,
    id: id('dsoftmax'),
    kind: 'Softmax',
    inputs: [dProbabilities, kept.probabilities],
    outputs: [dScores],
    elements: groups * tokens * tokens,
    ...softmax,
  });
  product('dq', [dScores, kept.k], dQ, d, tokens);
  product('dk', [dScores, kept.q], dK, d, tokens);
  const dx = p.gradient(layer, qkv, 'dx');
  f.b.node({
    ...base,
    id: id('dx'),
    kind: 'TokenOp',
    op: 'split-heads',
    inputs: [dQ, dK, dV],
    outputs: [dx],
    elements: 3 * p.rows * tokens * width,
    ...sequence,
  });
  return dx;
}

// The forward nodes of token-sequence layers (src/models/transformer-layers.ts), emitted for
// ForwardEmitter. Attention is a head split, two batched MatMul nodes (Q K^T and probabilities times
// V, one product per row and head) around a Softmax, then a head merge; LayerNorm is one LayerNorm
// node; the rest are TokenOp nodes. Parametrised kinds hand their output to the method's afterParam
// hook, so LR/ALR inject noise there as after a dense layer. Not a pass on its own.
import { elementCount } from '../ir/graph.js';
import type { IrNode, TokenOpName } from '../ir/types.js';
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
  const d = width / layer.heads;
  const groups = f.rows * layer.heads;
  const perHead = (suffix: string, columns: number): string =>
    f.b.tensor({
      id: `${f.id(layer, suffix)}`,
      shape: [groups, tokens, columns],
      dtype: f.b.floatDtype,
      cls: 'activation',
      layer: layer.name,
    });
  const [q, k, v] = ['q', 'k', 'v'].map((s) => perHead(s, d)) as [string, string, string];
  const sequence = { tokens, features: width, heads: layer.heads };
  const node = (suffix: string, fields: AttentionNodeFields): void => {
    f.b.node({ ...f.base(layer), id: f.id(layer, suffix), ...fields } as IrNode);
  };
  const elements = f.rows * tokens * width;
  node('split', {
    kind: 'TokenOp',
    op: 'split-heads',
    inputs: [qkv],
    outputs: [q, k, v],
    elements: 3 * elements,
    ...sequence,
  });
  const scores = perHead('scores', tokens);
  node('qk', { kind: 'MatMul', inputs: [q, k], outputs: [scores], m: tokens, n: tokens, k: d, groups, transpose: 'b' });
  const probabilities = perHead('probabilities', tokens);
  const softmax = { width: tokens, scale: 1 / Math.sqrt(d), causal: layer.causal };
  node('softmax', {
    kind: 'Softmax',
    inputs: [scores],
    outputs: [probabilities],
    elements: groups * tokens * tokens,
    ...softmax,
  });
  const context = perHead('context', d);
  node('pv', { kind: 'MatMul', inputs: [probabilities, v], outputs: [context], m: tokens, n: d, k: tokens, groups });
  const out = f.activation(`${layer.name}.out`, layer.name, [tokens, width]);
  node('merge', { kind: 'TokenOp', op: 'merge-heads', inputs: [context], outputs: [out], elements, ...sequence });
  f.attention.set(layer.name, { q, k, v, probabilities });
  return out;
}

/** An attention node's fields other than its id, phase and layer. */
type AttentionNodeFields = DistributiveOmit<
  Extract<IrNode, { kind: 'MatMul' | 'Softmax' | 'TokenOp' }>,
  'id' | 'phase' | 'layer'
>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

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
  const node = (suffix: string, fields: AttentionNodeFields): void => {
    f.b.node({ phase: 'backward', layer: layer.name, id: `${layer.name}.${suffix}`, ...fields } as IrNode);
  };
  const [dContext, dQ, dK, dV] = ['dcontext', 'dq', 'dk', 'dv'].map((s) => p.gradient(layer, kept.q, s));
  const [dScores, dProbabilities] = ['dscores', 'dprobabilities'].map((s) => p.gradient(layer, kept.probabilities, s));
  const product = (suffix: string, inputs: string[], output: string, n: number, k: number, transpose?: 'a' | 'b') =>
    node(suffix, {
      kind: 'MatMul',
      inputs,
      outputs: [output],
      m: tokens,
      n,
      k,
      groups,
      ...(transpose ? { transpose } : {}),
    });
  const elements = p.rows * tokens * width;
  node('dmerge', { kind: 'TokenOp', op: 'merge-heads', inputs: [dy], outputs: [dContext!], elements, ...sequence });
  product('dp', [dContext!, kept.v], dProbabilities!, tokens, d, 'b');
  product('dv', [kept.probabilities, dContext!], dV!, d, tokens, 'a');
  const softmax = { width: tokens, scale: 1 / Math.sqrt(d), causal: layer.causal };
  const inputs = [dProbabilities!, kept.probabilities];
  node('dsoftmax', { kind: 'Softmax', inputs, outputs: [dScores!], elements: groups * tokens * tokens, ...softmax });
  product('dq', [dScores!, kept.k], dQ!, d, tokens);
  product('dk', [dScores!, kept.q], dK!, d, tokens, 'a');
  const dx = p.gradient(layer, qkv, 'dx');
  node('dx', {
    kind: 'TokenOp',
    op: 'split-heads',
    inputs: [dQ!, dK!, dV!],
    outputs: [dx],
    elements: 3 * elements,
    ...sequence,
  });
  return dx;
}

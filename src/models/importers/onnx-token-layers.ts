// Single ONNX nodes of a transformer export as alrflow token layers (src/models/transformer-layers.ts):
// LayerNormalization on the last axis, the class token (Concat on the token axis of a learned [1, 1, F]
// vector, or its Expand, before the sequence), the position embedding (Add of a learned table of the
// sequence's shape), class pooling (Gather of token 0, or Slice of token 0 then Squeeze, Reshape or
// Flatten to [1, F]) and mean pooling (ReduceMean over the token axis). Anything else is refused
// naming the node.
import type { Layer } from '../layers.js';
import type { ConvertedNode, GraphView } from './onnx-layer-types.js';
import type { OnnxNode } from './onnx-read.js';

type Refuse = (node: OnnxNode, what: string) => never;

const none = (layers: Layer[], output: string): ConvertedNode => ({ layers, weights: new Map(), output });

export function layerNormalization(view: GraphView, node: OnnxNode, refuse: Refuse): ConvertedNode {
  const c = view.context(node);
  const x = c.input(0).shape;
  const features = x.at(-1) ?? 0;
  const axis = c.int('axis', -1);
  const eps = c.node.attributes.get('epsilon');
  const epsilon = typeof eps === 'number' ? eps : 1e-5;
  if ((axis !== -1 && axis !== x.length - 1) || !(epsilon > 0 && epsilon <= 1) || x.length !== 3)
    refuse(
      node,
      `LayerNormalization on axis ${axis} of [${x.join(', ')}] with epsilon ${epsilon} (the last axis of [1, tokens, features], epsilon in (0, 1])`,
    );
  const gamma = c.constInput(1).values;
  const beta = c.optional(2) ? c.constInput(2).values : new Float64Array(features);
  const weights = new Map([[node.name, { weights: Float64Array.from(gamma), biases: Float64Array.from(beta) }]]);
  return {
    layers: [{ kind: 'layernorm', name: node.name, features, epsilon }],
    weights,
    output: node.outputs[0] ?? '',
  };
}

/** The learned vector a class-token Concat prepends: an initializer, or an Expand of one. */
function classVector(view: GraphView, name: string): ArrayLike<number> | undefined {
  const value = view.onnx.values.get(name);
  if (value?.param) return value.constant?.values;
  const expand = view.onnx.compute.find((n) => n.outputs[0] === name && n.opType === 'Expand');
  const source = view.onnx.values.get(expand?.inputs[0] ?? '');
  return source?.param ? source.constant?.values : undefined;
}

export function classToken(view: GraphView, node: OnnxNode, value: string, refuse: Refuse): ConvertedNode {
  const c = view.context(node);
  const [batch, tokens, features = 0] = c.input(node.inputs.indexOf(value)).shape;
  const axis = c.int('axis', 0);
  const cls =
    node.inputs.length === 2 && node.inputs[1] === value ? classVector(view, node.inputs[0] ?? '') : undefined;
  if (batch !== 1 || tokens === undefined || (axis !== 1 && axis !== -2) || cls?.length !== features)
    refuse(node, 'this Concat (a class token: Concat on axis 1 of a learned [1, 1, features] vector and the sequence)');
  const weights = new Map([[node.name, { weights: Float64Array.from(cls), biases: new Float64Array(0) }]]);
  return { layers: [{ kind: 'class-token', name: node.name, features }], weights, output: node.outputs[0] ?? '' };
}

export function positionEmbedding(view: GraphView, node: OnnxNode, value: string, refuse: Refuse): ConvertedNode {
  const x = view.onnx.values.get(value)?.shape ?? [];
  const table = view.onnx.values.get(node.inputs.find((n) => n !== value) ?? '');
  const [, tokens = 0, features = 0] = x;
  const fits = table?.param && x.length === 3 && table.constant?.values.length === tokens * features;
  if (!fits) refuse(node, 'this Add (a position embedding: a learned table of the sequence shape added to it)');
  const weights = new Map([
    [node.name, { weights: Float64Array.from(table!.constant!.values), biases: new Float64Array(0) }],
  ]);
  return {
    layers: [{ kind: 'position-embedding', name: node.name, tokens, features }],
    weights,
    output: node.outputs[0] ?? '',
  };
}

/** Gather of token 0 on axis 1 (class pooling), or ReduceMean over axis 1 without keepdims (mean pooling). */
export function tokenPool(view: GraphView, node: OnnxNode, refuse: Refuse): ConvertedNode {
  const c = view.context(node);
  const x = c.input(0).shape;
  const output = node.outputs[0] ?? '';
  const pooled = view.onnx.values.get(output)?.shape ?? [];
  const flat = x.length === 3 && pooled.length === 2 && pooled[1] === x[2];
  if (node.opType === 'Gather') {
    const index = c.optional(1)?.constant?.values;
    if (flat && [1, -2].includes(c.int('axis', 0)) && index?.length === 1 && index[0] === 0)
      return none([{ kind: 'class-pool', name: node.name }], output);
    refuse(node, 'this Gather (class pooling: token 0 of axis 1 of [1, tokens, features])');
  }
  if (node.opType === 'Slice') return sliceClassPool(view, node, refuse);
  if (flat && c.int('keepdims', 1) === 0) return none([{ kind: 'mean-pool', name: node.name }], output);
  return refuse(node, 'this ReduceMean (mean pooling: over axis 1 of [1, tokens, features], keepdims 0)');
}

/** Slice of token 0 ([1, T, F] to [1, 1, F], axis 1 from 0) then Squeeze, Reshape or Flatten to [1, F]: class pooling. */
function sliceClassPool(view: GraphView, node: OnnxNode, refuse: Refuse): ConvertedNode {
  const c = view.context(node);
  const x = c.input(0).shape;
  const shape = (name: string | undefined): string => (view.onnx.values.get(name ?? '')?.shape ?? []).join();
  const axes = c.optional(3) ? c.constInts(3) : [0];
  const then = view.soleConsumer(node.outputs[0] ?? '');
  const token0 =
    x.length === 3 &&
    [1, -2].includes(axes[0] ?? 0) &&
    axes.length === 1 &&
    c.constInts(1)[0] === 0 &&
    shape(node.outputs[0]) === [1, 1, x[2]].join() &&
    ['Squeeze', 'Reshape', 'Flatten'].includes(then?.opType ?? '') &&
    shape(then?.outputs[0]) === [1, x[2]].join();
  if (!token0)
    refuse(
      node,
      'this Slice (class pooling: token 0 of axis 1 of [1, tokens, features], then Squeeze, Reshape or Flatten to [1, features])',
    );
  return none([{ kind: 'class-pool', name: node.name }], then!.outputs[0] ?? '');
}

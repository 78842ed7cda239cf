// An imported ONNX graph as an alrflow Network (the layer chain with residual bodies of
// src/models/layers.ts) and its initializers as the network's starting parameters. The walk follows the
// data input: a value read by one node continues the chain; a value read by two nodes is a residual:
// identity when one of them is the Add that joins the other branch back, a projection shortcut when both
// start a branch and the branches meet at an Add. Other forks (three branches, concatenations) are
// refused naming the node. A trailing Softmax is dropped (alrflow's loss applies softmax cross-entropy
// to logits).
import { basename } from 'node:path';
import type { Layer, Network } from '../layers.js';
import { inferShapes } from '../shapes.js';
import { OpContext } from './onnx-context.js';
import { importOnnxFile, type ImportedOnnx } from './onnx-graph.js';
import { convertNode, type GraphView, type LayerWeights, refuse } from './onnx-layers.js';
import type { OnnxNode } from './onnx-read.js';
import { fuseTokenPatterns } from './onnx-token-patterns.js';

export interface OnnxNetwork {
  network: Network;
  /** Starting weights by parametrised-layer name (linear [out, in], conv [out, in, k, k]). */
  weights: Map<string, LayerWeights>;
}

function graphView(onnx: ImportedOnnx): GraphView & { consumers: Map<string, OnnxNode[]> } {
  const { compute, fused } = fuseTokenPatterns(onnx);
  const alias = new Map<string, string>();
  for (const node of onnx.graph.nodes)
    if (node.opType === 'Identity') alias.set(node.outputs[0] ?? '', node.inputs[0] ?? '');
  const consumers = new Map<string, OnnxNode[]>();
  for (const node of compute)
    for (const name of new Set(node.inputs)) {
      if (name === '' || onnx.values.get(name)?.constant !== undefined) continue;
      consumers.set(name, [...(consumers.get(name) ?? []), node]);
    }
  return {
    onnx,
    consumers,
    fused,
    soleConsumer: (value) => {
      const list = consumers.get(value) ?? [];
      return list.length === 1 ? list[0] : undefined;
    },
    context: (node) =>
      new OpContext(
        node,
        node.inputs.map((name) => (name === '' ? undefined : onnx.values.get(name))),
        onnx.graph.opset,
        onnx.graph.file,
      ),
  };
}

interface Walk {
  view: ReturnType<typeof graphView>;
  weights: Map<string, LayerWeights>;
}

interface Chain {
  layers: Layer[];
  end: string;
  /** Where a branch walk met an Add of two computed values (the join of a residual's two branches). */
  join?: OnnxNode;
}

/** An Add both of whose inputs are computed at run time (not a bias): where two branches meet. */
function isJoin(walk: Walk, node: OnnxNode): boolean {
  return node.opType === 'Add' && node.inputs.every((name) => walk.view.consumers.get(name)?.includes(node));
}

/**
 * Layers from `start` until `stop` (the join node) reads the current value or the graph ends. A branch
 * walk starts at its `first` node and ends at the first join it meets.
 */
function chain(walk: Walk, start: string, stop?: OnnxNode, first?: OnnxNode): Chain {
  const layers: Layer[] = [];
  let value = start;
  let branch = first;
  for (;;) {
    const readers = branch ? [branch] : (walk.view.consumers.get(value) ?? []);
    const next = readers.filter((n) => n !== stop);
    if (next.length === 0) return { layers, end: value };
    if (next.length === 1 && next.length === readers.length - (stop && readers.includes(stop) ? 1 : 0)) {
      const node = next[0] as OnnxNode;
      if (isJoin(walk, node)) {
        if (first) return { layers, end: value, join: node };
        refuse(walk.view, node, 'an Add of two computed values that no fork before it explains');
      }
      branch = undefined;
      if (node.opType === 'Softmax' && walk.view.onnx.graph.outputs.includes(node.outputs[0] ?? ''))
        return { layers, end: value };
      const converted = convertNode(walk.view, node, value);
      layers.push(...converted.layers);
      for (const [name, w] of converted.weights) walk.weights.set(name, w);
      value = converted.output;
      continue;
    }
    value = residual(walk, value, readers, layers);
  }
}

/**
 * A residual at a value read by two nodes. Identity: one reader is the joining Add, the other starts the
 * body. Projection: both readers start a branch; the branches meet at an Add; the longer branch is the
 * body, the other the shortcut.
 */
function residual(walk: Walk, value: string, readers: OnnxNode[], layers: Layer[]): string {
  if (readers.length !== 2)
    refuse(walk.view, readers[1] ?? (readers[0] as OnnxNode), `a fork of ${value} into ${readers.length} branches`);
  const identity = readers.find((n) => isJoin(walk, n));
  if (identity) {
    const body = chain(walk, value, identity);
    const other = identity.inputs.find((name) => name !== value);
    if (body.end !== other) refuse(walk.view, identity, 'an Add whose branches do not meet as an identity residual');
    layers.push({ kind: 'residual', name: identity.name, body: body.layers });
    return identity.outputs[0] ?? '';
  }
  const [a, b] = readers as [OnnxNode, OnnxNode];
  const first = chain(walk, value, undefined, a);
  const join = first.join ?? refuse(walk.view, a, `a branch from ${value} that never meets the other`);
  const second = chain(walk, value, join, b);
  if (second.end === first.end || !join.inputs.includes(second.end) || !join.inputs.includes(first.end))
    refuse(walk.view, join, `an Add whose inputs are not the two branches forked at ${value}`);
  const [body, shortcut] = first.layers.length >= second.layers.length ? [first, second] : [second, first];
  layers.push({ kind: 'residual', name: join.name, body: body.layers, shortcut: shortcut.layers });
  return join.outputs[0] ?? '';
}

export function onnxToNetwork(onnx: ImportedOnnx, name = basename(onnx.graph.file, '.onnx')): OnnxNetwork {
  const walk: Walk = { view: graphView(onnx), weights: new Map() };
  const { layers } = chain(walk, onnx.input.name);
  const last = [...layers].reverse().find((l) => l.kind === 'linear' || l.kind === 'conv2d');
  const classes = last?.kind === 'linear' ? last.outFeatures : 0;
  const network: Network = { name, inputShape: onnx.input.sampleShape, classes, layers };
  const shapes = inferShapes(network);
  const output = shapes.get(layers[layers.length - 1]?.name ?? '')?.output ?? [];
  if (classes === 0 || output.length !== 1 || output[0] !== classes) throw refuseEnd(onnx, output);
  return { network, weights: walk.weights };
}

function refuseEnd(onnx: ImportedOnnx, output: readonly number[]): Error {
  return new OpContext(onnx.compute[onnx.compute.length - 1] as OnnxNode, [], onnx.graph.opset, onnx.graph.file).fail(
    `the network ends in shape [${output.join(', ')}]; allowed: a linear (Gemm or MatMul) layer giving one logit per class`,
  );
}

export function loadOnnxNetwork(path: string): OnnxNetwork {
  return onnxToNetwork(importOnnxFile(path));
}

// An imported ONNX graph as an alrflow Network (the layer chain with residual bodies of
// src/models/layers.ts) and its initializers as the network's starting parameters. The walk follows the
// data input: a value read by one node continues the chain; a value read by two nodes, one of them the
// Add that joins the other branch back, is an identity residual whose body is that branch. Other forks
// (projection shortcuts, concatenations) are refused naming the node: the layer schema has no such
// structure yet. A trailing Softmax is dropped (alrflow's loss applies softmax cross-entropy to logits).
import { basename } from 'node:path';
import type { Layer, Network } from '../layers.js';
import { inferShapes } from '../shapes.js';
import { OpContext } from './onnx-context.js';
import { importOnnxFile, type ImportedOnnx } from './onnx-graph.js';
import { convertNode, type GraphView, type LayerWeights, refuse } from './onnx-layers.js';
import type { OnnxNode } from './onnx-read.js';

export interface OnnxNetwork {
  network: Network;
  /** Starting weights by parametrised-layer name (linear [out, in], conv [out, in, k, k]). */
  weights: Map<string, LayerWeights>;
}

function graphView(onnx: ImportedOnnx): GraphView & { consumers: Map<string, OnnxNode[]> } {
  const alias = new Map<string, string>();
  for (const node of onnx.graph.nodes)
    if (node.opType === 'Identity') alias.set(node.outputs[0] ?? '', node.inputs[0] ?? '');
  const consumers = new Map<string, OnnxNode[]>();
  for (const node of onnx.compute)
    for (const name of new Set(node.inputs)) {
      if (name === '' || onnx.values.get(name)?.constant !== undefined) continue;
      consumers.set(name, [...(consumers.get(name) ?? []), node]);
    }
  return {
    onnx,
    consumers,
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

/** Layers from `value` until `stop` (the join node) reads the current value or the graph ends. */
function chain(walk: Walk, start: string, stop?: OnnxNode): { layers: Layer[]; end: string } {
  const layers: Layer[] = [];
  let value = start;
  for (;;) {
    const readers = walk.view.consumers.get(value) ?? [];
    const next = readers.filter((n) => n !== stop);
    if (next.length === 0) return { layers, end: value };
    if (next.length === 1 && next.length === readers.length - (stop && readers.includes(stop) ? 1 : 0)) {
      const node = next[0] as OnnxNode;
      if (node.opType === 'Add') refuse(walk.view, node, 'an Add of two computed branches (a projection shortcut)');
      if (node.opType === 'Softmax' && walk.view.onnx.graph.outputs.includes(node.outputs[0] ?? ''))
        return { layers, end: value };
      const converted = convertNode(walk.view, node);
      layers.push(...converted.layers);
      for (const [name, w] of converted.weights) walk.weights.set(name, w);
      value = converted.output;
      continue;
    }
    value = residual(walk, value, readers, layers);
  }
}

/** An identity residual at a value read by two nodes: one the joining Add, the other the body's start. */
function residual(walk: Walk, value: string, readers: OnnxNode[], layers: Layer[]): string {
  const join = readers.find((n) => n.opType === 'Add' && n.inputs.includes(value));
  if (readers.length !== 2 || !join)
    refuse(
      walk.view,
      readers[1] ?? (readers[0] as OnnxNode),
      `a fork of ${value} into ${readers.length} branches other than an identity residual`,
    );
  const body = chain(walk, value, join);
  const other = join.inputs.find((name) => name !== value);
  if (body.end !== other) refuse(walk.view, join, 'an Add whose branches do not meet as an identity residual');
  layers.push({ kind: 'residual', name: join.name, body: body.layers });
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

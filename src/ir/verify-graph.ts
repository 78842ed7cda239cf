// verifyGraph: the structural invariants every graph must keep after every compiler pass —
// known tensors, one producer per tensor, nodes in a topological order (so the graph is acyclic),
// every input produced earlier or a step source (input, weight, optimizer state), well-formed
// shapes whose element counts agree with the work each node states, consistent dtypes, and every
// batchnorm's statistics edge.
// It does not judge whether the graph computes the right gradient; tests do that.
import { batchNormStats, elementCount, gradProductInputs, sourceClasses } from './graph.js';
import type { Graph, IrNode, TensorInfo } from './types.js';

export class GraphVerificationError extends Error {
  constructor(readonly problems: string[]) {
    super(`graph verification failed:\n${problems.join('\n')}`);
    this.name = 'GraphVerificationError';
  }
}

/** Elements the node's first output must have, where the node kind fixes it. */
function expectedOutputElements(node: IrNode): number | undefined {
  switch (node.kind) {
    case 'MatMul':
    case 'GradProduct':
      return node.groups * node.m * node.n;
    case 'Conv2d':
      return node.batch * node.outChannels * node.outHeight * node.outWidth;
    case 'BiasAct':
    case 'BatchNorm':
    case 'Pool':
    case 'Add':
    case 'LayerNorm':
    case 'Softmax':
    case 'NoiseInject':
    case 'SignPack':
    case 'Reduce':
    case 'OptimizerUpdate':
    case 'AllReduce':
      return node.elements;
    case 'Loss':
    case 'LossBroadcast':
      return node.rows;
    case 'SigmaGrad':
      return node.channels;
    case 'Transfer':
    case 'TokenOp':
      return undefined;
    default:
      return node satisfies never;
  }
}

/** Elements the node's first input must have, where the node kind fixes it. */
function expectedInputElements(node: IrNode): number[] | undefined {
  switch (node.kind) {
    case 'MatMul':
      return [node.m * node.k, node.groups * node.m * node.k];
    case 'Conv2d': {
      // Grouped (ES) convolutions may read one shared input for all weight copies.
      const perRow = node.inChannels * node.inHeight * node.inWidth;
      return [node.batch * perRow, (node.batch / (node.groups ?? 1)) * perRow];
    }
    case 'Reduce':
      return [node.elements * node.factor];
    case 'SignPack':
    case 'SigmaGrad':
      return [node.elements];
    case 'Loss':
      return [node.rows * (node.tokens ?? 1) * node.classes];
    case 'LossBroadcast':
      return [node.rows];
    default:
      return undefined;
  }
}

function shapeProblems(t: TensorInfo, floatDtype: string): string[] {
  const problems: string[] = [];
  if (t.shape.length === 0 || t.shape.some((d) => !Number.isInteger(d) || d < 1)) {
    problems.push(`tensor ${t.id}: shape [${t.shape.join(', ')}] is not a list of positive integers`);
  }
  if ((t.cls === 'sign-bits') !== (t.dtype === 'bit')) {
    problems.push(`tensor ${t.id}: class ${t.cls} with dtype ${t.dtype}; sign-bits tensors and only they are 'bit'`);
  }
  if (t.dtype !== 'bit' && t.dtype !== floatDtype) {
    problems.push(`tensor ${t.id}: dtype ${t.dtype}, but the graph's float width gives ${floatDtype}`);
  }
  return problems;
}

function nodeShapeProblems(node: IrNode, tensors: Graph['tensors']): string[] {
  const problems: string[] = [];
  const out = tensors[node.outputs[0] ?? ''];
  const expectedOut = expectedOutputElements(node);
  if (out && expectedOut !== undefined && elementCount(out.shape) !== expectedOut) {
    problems.push(
      `node ${node.id} (${node.kind}): output ${out.id} has ${elementCount(out.shape)} elements, the node's work gives ${expectedOut}`,
    );
  }
  const input = tensors[node.inputs[0] ?? ''];
  const expectedIn = expectedInputElements(node);
  if (input && expectedIn && !expectedIn.includes(elementCount(input.shape))) {
    problems.push(
      `node ${node.id} (${node.kind}): input ${input.id} has ${elementCount(input.shape)} elements, allowed ${expectedIn.join(' or ')}`,
    );
  }
  if (node.kind === 'NoiseInject' && input && node.elements % elementCount(input.shape) !== 0) {
    problems.push(
      `node ${node.id} (NoiseInject): input ${input.id} rows do not divide the ${node.elements} noisy elements`,
    );
  }
  if (node.kind === 'SignPack' && out && out.dtype !== 'bit')
    problems.push(`node ${node.id} (SignPack): output ${out.id} is ${out.dtype}, expected bit`);
  if (node.kind === 'GradProduct' && node.signs && !node.inputs.some((t) => tensors[t]?.dtype === 'bit')) {
    problems.push(`node ${node.id} (GradProduct): signs=true but no 'bit' input`);
  }
  return [...problems, ...statsProblems(node, tensors)];
}

/** A batchnorm's statistics edge: every BatchNorm reads or writes [2, channels]; its GradProduct reads them. */
function statsProblems(node: IrNode, tensors: Graph['tensors']): string[] {
  const [stats, channels] =
    node.kind === 'BatchNorm'
      ? [batchNormStats(node), node.channels]
      : node.kind === 'GradProduct' && node.batchStats
        ? [gradProductInputs(node).stats, node.m]
        : [undefined, undefined];
  if (channels === undefined) return [];
  const t = tensors[stats ?? ''];
  if (!t) return [`node ${node.id} (${node.kind}): reads or writes no batch statistics`];
  const expected = [2, channels];
  return t.shape.join() === expected.join()
    ? []
    : [
        `node ${node.id} (${node.kind}): statistics ${t.id} are [${t.shape.join(', ')}], expected [${expected.join(', ')}]`,
      ];
}

/** A declared layer's parameter tensor exists, is a weight and holds its weights and biases. */
function paramProblems(graph: Graph): string[] {
  return graph.params.flatMap((p) => {
    const t = graph.tensors[p.tensor];
    if (!t || t.cls !== 'weight') return [`param ${p.layer}: no weight tensor ${p.tensor}`];
    const n = elementCount(t.shape);
    return n === p.weights + p.biases
      ? []
      : [`param ${p.layer}: ${p.tensor} holds ${n} values, declared ${p.weights + p.biases}`];
  });
}

/** Every port names a tensor of the graph. */
function portProblems(graph: Graph): string[] {
  const ports = [
    ...graph.inputs.map((p) => ['input', p] as const),
    ...graph.outputs.map((p) => ['output', p] as const),
  ];
  return ports.flatMap(([side, p]) =>
    graph.tensors[p.tensor] ? [] : [`${side} port ${p.role}${p.layer ? ` of ${p.layer}` : ''}: no tensor ${p.tensor}`],
  );
}

/** Every problem found, one line each; empty when the graph is well-formed. */
export function graphProblems(graph: Graph): string[] {
  const problems: string[] = [...paramProblems(graph), ...portProblems(graph)];
  const floatDtype = graph.meta.floatBytes === 2 ? 'f16' : 'f32';
  for (const [id, t] of Object.entries(graph.tensors)) {
    if (t.id !== id) problems.push(`tensor key ${id} holds a tensor named ${t.id}`);
    problems.push(...shapeProblems(t, floatDtype));
  }
  const produced = new Set<string>();
  const allProduced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const nodeIds = new Set<string>();
  for (const node of graph.nodes) {
    if (nodeIds.has(node.id)) problems.push(`node id ${node.id} is used twice`);
    nodeIds.add(node.id);
    for (const t of [...node.inputs, ...node.outputs]) {
      if (!graph.tensors[t]) problems.push(`node ${node.id}: unknown tensor ${t}`);
    }
    for (const t of node.inputs) {
      const info = graph.tensors[t];
      if (produced.has(t) || !info) continue;
      if (allProduced.has(t)) problems.push(`node ${node.id} reads ${t} before it is produced (cycle or bad order)`);
      else if (!sourceClasses.has(info.cls))
        problems.push(`node ${node.id} reads ${t} (${info.cls}), which nothing produces`);
    }
    for (const t of node.outputs) {
      if (produced.has(t)) problems.push(`tensor ${t} has more than one producer (second: ${node.id})`);
      produced.add(t);
    }
    problems.push(...nodeShapeProblems(node, graph.tensors));
  }
  return problems;
}

/** Throws a GraphVerificationError listing every problem (a compiler bug, never user input). */
export function verifyGraph(graph: Graph): Graph {
  const problems = graphProblems(graph);
  if (problems.length > 0) throw new GraphVerificationError(problems);
  return graph;
}

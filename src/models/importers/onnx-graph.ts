// The ONNX importer's front: reads a file, refuses operators outside the supported list (every
// unsupported type with its count and first node, all at once), fixes the batch axis, and walks the
// nodes in order giving every value its static shape. Shape subgraphs on constants fold to constants;
// the nodes left ("compute nodes") are the network.
import { ConfigError } from '../../errors.js';
import { computeRules } from './onnx-compute-rules.js';
import { known, OpContext, type OnnxValue, type OpRule } from './onnx-context.js';
import { foldRules } from './onnx-fold-rules.js';
import { type OnnxGraph, type OnnxNode, OnnxDataType, readOnnxFile } from './onnx-read.js';

const identity: OpRule = (c) => [c.input(0)];
const rules: Record<string, OpRule> = { ...computeRules, ...foldRules, Identity: identity };

export const supportedOnnxOps: readonly string[] = Object.keys(rules).sort();

export interface ImportedOnnx {
  graph: OnnxGraph;
  /** Every value's shape (batch axis first, fixed at 1), and its value where known at import. */
  values: Map<string, OnnxValue>;
  /** Nodes that compute at run time, in file order (folded shape arithmetic and aliases removed). */
  compute: OnnxNode[];
  /** The data input: its name and its shape per sample (without the batch axis). */
  input: { name: string; sampleShape: number[] };
}

export function importOnnxFile(path: string): ImportedOnnx {
  const graph = readOnnxFile(path);
  checkSupported(graph);
  return inferOnnx(graph);
}

export function checkSupported(graph: OnnxGraph): void {
  const unsupported = new Map<string, { count: number; first: string }>();
  for (const node of graph.nodes) {
    const type = node.domain === '' ? node.opType : `${node.domain}.${node.opType}`;
    if (type in rules) continue;
    const seen = unsupported.get(type);
    unsupported.set(type, { count: (seen?.count ?? 0) + 1, first: seen?.first ?? node.name });
  }
  if (unsupported.size === 0) return;
  throw new ConfigError([
    `${graph.file}: ${unsupported.size} unsupported ONNX operator type${unsupported.size > 1 ? 's' : ''}:`,
    ...[...unsupported].map(([type, u]) => `  ${type}: ${u.count} node${u.count > 1 ? 's' : ''}, first ${u.first}`),
    `allowed: ${supportedOnnxOps.join(', ')}`,
  ]);
}

function dataInput(graph: OnnxGraph): { name: string; shape: number[] } {
  const input = graph.inputs[0];
  if (!input || graph.inputs.length > 1)
    throw new ConfigError([
      `${graph.file}: ${graph.inputs.length} data inputs (${graph.inputs.map((i) => i.name).join(', ')}); allowed: exactly one`,
    ]);
  const [batch, ...sample] = input.shape;
  if (batch === undefined || (batch !== 1 && batch !== -1) || sample.some((d) => d < 1))
    throw new ConfigError([
      `${graph.file}: input ${input.name} has shape [${input.shape.join(', ')}]; allowed: a batch axis first (1 or symbolic) and static sample dims`,
    ]);
  return { name: input.name, shape: [1, ...sample] };
}

export function inferOnnx(graph: OnnxGraph): ImportedOnnx {
  const values = new Map<string, OnnxValue>();
  for (const [name, t] of graph.initializers)
    values.set(name, { ...known(t), param: t.dataType === OnnxDataType.float || t.dataType === OnnxDataType.double });
  const input = dataInput(graph);
  values.set(input.name, { shape: input.shape, dataType: OnnxDataType.float });
  const compute: OnnxNode[] = [];
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => (name === '' ? undefined : lookup(values, name, node, graph.file)));
    const context = new OpContext(node, inputs, graph.opset, graph.file);
    const outputs = (rules[node.opType] as OpRule)(context);
    node.outputs.forEach((name, i) => {
      const value = outputs[i];
      if (name !== '' && value) values.set(name, value);
    });
    if (node.opType !== 'Identity' && outputs.some((v) => v.constant === undefined || v.param)) compute.push(node);
  }
  for (const name of graph.outputs) lookup(values, name, undefined, graph.file);
  return { graph, values, compute, input: { name: input.name, sampleShape: input.shape.slice(1) } };
}

/** Classes of the network: the last axis of its (first) output. */
export function onnxClasses(onnx: ImportedOnnx): number {
  const shape = onnx.values.get(onnx.graph.outputs[0] ?? '')?.shape ?? [];
  return shape[shape.length - 1] ?? 1;
}

function lookup(values: Map<string, OnnxValue>, name: string, node: OnnxNode | undefined, file: string): OnnxValue {
  const value = values.get(name);
  if (value) return value;
  throw new ConfigError([
    `${file}: ${node ? `node ${node.name} (${node.opType}) reads` : 'the graph outputs'} ${name}, which no earlier node, initializer or input defines; allowed: nodes in topological order (the file may be truncated)`,
  ]);
}

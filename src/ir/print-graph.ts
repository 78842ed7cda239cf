// printGraph: a stable text form of a graph for golden tests and debugging — a micro-batched step's
// micro-batches (rows of the batch), one line per parametrised
// layer's declaration (network order), per port (inputs, then outputs), per tensor (sorted by id) and per node (graph order), node fields
// sorted by name. Not a serialisation format.
import { microBatchCount, microBatchesOf } from './step-instances.js';
import type { Graph, GraphMeta, GraphPort, IrNode, ParamDecl } from './types.js';

const baseKeys = new Set(['id', 'kind', 'inputs', 'outputs', 'phase', 'layer']);

function nodeLine(node: IrNode): string {
  const record = node as unknown as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((k) => !baseKeys.has(k) && record[k] !== undefined)
    .sort()
    .map((k) => `${k}=${String(record[k])}`);
  const layer = node.layer ? ` layer=${node.layer}` : '';
  return `node ${node.id} ${node.kind} ${node.phase}${layer} ${fields.join(' ')} (${node.inputs.join(', ')}) -> (${node.outputs.join(', ')})`;
}

/** A mapped step's micro-batches and staleness (nothing for a graph before mapping). */
function layoutText(m: GraphMeta): string {
  return m.microBatches === undefined ? '' : ` microBatches=${m.microBatches} staleness=${m.staleness ?? 0}`;
}

function paramLine(p: ParamDecl): string {
  const fields = (record: object): string =>
    Object.entries(record)
      .filter(([k]) => k !== 'kind')
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
  const init = `init=${p.init.kind} ${fields(p.init)}`;
  return `param ${p.layer} ${p.op.kind} ${fields(p.op)} tensor=${p.tensor} weights=${p.weights} biases=${p.biases} channels=${p.channels} stream=${p.stream} ${init}`;
}

function portLine(side: 'input' | 'output', p: GraphPort): string {
  return `${side} ${p.tensor} ${p.role}${p.layer ? ` layer=${p.layer}` : ''}`;
}

/** A micro-batched step's micro-batches, one line each: index and rows of the batch. */
function microLines(m: GraphMeta): string[] {
  if (microBatchCount(m) <= 1) return [];
  return microBatchesOf(m).map((b) => `micro ${b.index} rows=${b.firstSample}..${b.firstSample + b.samples - 1}`);
}

export function printGraph(graph: Graph): string {
  const m = graph.meta;
  const header = `graph ${m.network} method=${m.method} copies=${m.copies} batch=${m.batch} floatBytes=${m.floatBytes} noise=${m.noiseStorage} layerwise=${m.layerwise}${layoutText(m)}`;
  const tensors = Object.values(graph.tensors)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((t) => `tensor ${t.id} [${t.shape.join(', ')}] ${t.dtype} ${t.cls}${t.layer ? ` layer=${t.layer}` : ''}`);
  const ports = [...graph.inputs.map((p) => portLine('input', p)), ...graph.outputs.map((p) => portLine('output', p))];
  return (
    [header, ...microLines(m), ...graph.params.map(paramLine), ...ports, ...tensors, ...graph.nodes.map(nodeLine)].join(
      '\n',
    ) + '\n'
  );
}

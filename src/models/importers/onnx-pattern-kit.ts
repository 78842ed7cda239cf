// The matching kit of the transformer subgraph patterns (onnx-token-patterns.ts, onnx-mha-pattern.ts):
// what a match gives (the nodes it absorbs, the value it reads and the one it produces, the alrflow
// layers and their starting weights) and a view of the graph by value readers, constants and shapes.
import type { Layer } from '../layers.js';
import type { ImportedOnnx } from './onnx-graph.js';
import type { ConvertedNode } from './onnx-layer-types.js';
import type { OnnxNode, OnnxTensor } from './onnx-read.js';

export interface Match {
  nodes: OnnxNode[];
  input: string;
  output: string;
  layers: Layer[];
  weights?: ConvertedNode['weights'];
}

export class Patterns {
  private readonly readers = new Map<string, OnnxNode[]>();

  constructor(readonly onnx: ImportedOnnx) {
    for (const node of onnx.compute)
      for (const name of new Set(node.inputs))
        if (name !== '' && onnx.values.get(name)?.constant === undefined)
          this.readers.set(name, [...(this.readers.get(name) ?? []), node]);
  }

  /** The one compute node reading `value`, if it has type `opType`. */
  only(value: string | undefined, opType: string): OnnxNode | undefined {
    const list = this.readers.get(value ?? '') ?? [];
    return list.length === 1 && list[0]!.opType === opType ? list[0] : undefined;
  }

  /** The readers of `value` when they are exactly the given op types (in any order). */
  readersOf(value: string | undefined, ...types: string[]): OnnxNode[] | undefined {
    const list = this.readers.get(value ?? '') ?? [];
    const sorted = [...list].sort((a, b) => types.indexOf(a.opType) - types.indexOf(b.opType));
    return list.length === types.length && sorted.every((n, i) => n.opType === types[i]) ? sorted : undefined;
  }

  /** The single-element constant input of `node` other than `value`, if any. */
  scalar(node: OnnxNode | undefined, value: string): number | undefined {
    const other = node?.inputs.find((name) => name !== value);
    const c = this.onnx.values.get(other ?? '')?.constant;
    return c && c.values.length === 1 ? (c.values[0] as number) : undefined;
  }

  shape(value: string | undefined): number[] {
    return this.onnx.values.get(value ?? '')?.shape ?? [];
  }

  ints(node: OnnxNode, name: string): number[] | undefined {
    const v = node.attributes.get(name);
    return Array.isArray(v) ? v : undefined;
  }
}

export const near = (a: number | undefined, b: number): boolean =>
  a !== undefined && Math.abs(a - b) <= 1e-6 * Math.abs(b);
export const out = (node: OnnxNode | undefined): string | undefined => node?.outputs[0];

/** A product's weight: a constant, or a Transpose [1, 0] of one (PyTorch's nn.Linear without constant folding). */
export function productWeight(onnx: ImportedOnnx, name: string): OnnxTensor | undefined {
  const direct = onnx.values.get(name)?.constant;
  if (direct) return direct;
  const transpose = onnx.compute.find((n) => n.outputs[0] === name && n.opType === 'Transpose');
  const source = onnx.values.get(transpose?.inputs[0] ?? '')?.constant;
  const perm = transpose?.attributes.get('perm');
  if (!source || source.dims.length !== 2 || (Array.isArray(perm) && perm.join() !== '1,0')) return undefined;
  const [rows = 0, cols = 0] = source.dims;
  const values = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) values[k * rows + r] = source.values[r * cols + k] ?? 0;
  return { dims: [cols, rows], dataType: source.dataType, values };
}

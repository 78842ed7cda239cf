// Builds a Graph node by node, refusing duplicate ids at once (a pass bug, not user input).
// Not a verifier: shapes and order are checked by verifyGraph.
import type { Graph, GraphMeta, IrNode, ParamDecl, TensorInfo } from './types.js';

export class GraphBuilder {
  private readonly tensorMap: Record<string, TensorInfo> = {};
  private readonly nodeList: IrNode[] = [];
  private readonly nodeIds = new Set<string>();
  private readonly paramList: ParamDecl[] = [];

  constructor(readonly meta: GraphMeta) {}

  /** Float dtype matching the graph's float width. */
  get floatDtype(): 'f32' | 'f16' {
    return this.meta.floatBytes === 2 ? 'f16' : 'f32';
  }

  tensor(info: TensorInfo): string {
    if (this.tensorMap[info.id]) throw new Error(`GraphBuilder: tensor ${info.id} defined twice`);
    this.tensorMap[info.id] = { ...info, shape: [...info.shape] };
    return info.id;
  }

  has(tensorId: string): boolean {
    return this.tensorMap[tensorId] !== undefined;
  }

  get(tensorId: string): TensorInfo {
    const t = this.tensorMap[tensorId];
    if (!t) throw new Error(`GraphBuilder: no tensor ${tensorId}`);
    return t;
  }

  node(node: IrNode): IrNode {
    if (this.nodeIds.has(node.id)) throw new Error(`GraphBuilder: node ${node.id} defined twice`);
    this.nodeIds.add(node.id);
    this.nodeList.push(node);
    return node;
  }

  /** Declares a parametrised layer (its parameter tensor must be defined first). */
  param(decl: ParamDecl): void {
    if (this.paramList.some((p) => p.layer === decl.layer))
      throw new Error(`GraphBuilder: layer ${decl.layer} declared twice`);
    this.get(decl.tensor);
    this.paramList.push(decl);
  }

  build(): Graph {
    return {
      meta: { ...this.meta },
      params: [...this.paramList],
      // Ports are declared by the compiler once the step is complete (src/compiler/declare-ports.ts).
      inputs: [],
      outputs: [],
      tensors: { ...this.tensorMap },
      nodes: [...this.nodeList],
    };
  }
}

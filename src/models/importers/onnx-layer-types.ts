// The types the ONNX layer converters share: a layer's starting weights, what one converted node
// gives, and how a converter sees the graph.
import type { Layer } from '../layers.js';
import type { OpContext } from './onnx-context.js';
import type { ImportedOnnx } from './onnx-graph.js';
import type { OnnxNode } from './onnx-read.js';

export interface LayerWeights {
  weights: Float64Array;
  biases: Float64Array;
}

export interface ConvertedNode {
  layers: Layer[];
  weights: Map<string, LayerWeights>;
  /** The value the layers produce (the last absorbed node's output). */
  output: string;
}

/** How the converter sees the graph: values, and the single consumer of a value where there is one. */
export interface GraphView {
  onnx: ImportedOnnx;
  /** The one compute node reading a value (undefined when none or several). */
  soleConsumer(value: string): OnnxNode | undefined;
  /** What each fused subgraph (onnx-token-patterns.ts) becomes. */
  fused: Map<OnnxNode, ConvertedNode>;
  context(node: OnnxNode): OpContext;
}

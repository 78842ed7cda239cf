// The workload of an imported ONNX graph, in the terms of src/models/workload.ts: parameters (the float
// initializers the compute nodes read, each distinct value once; batch-norm running statistics are
// buffers, not parameters), parametrised layers (Conv, Gemm, MatMul on a weight or on a Transpose of
// one, BatchNormalization, LayerNormalization or its opset-13 decomposition, so one network counts the
// same at every opset and with or without constant folding) and the exact multiply-accumulates of one
// sample's forward pass (Conv, Gemm and MatMul, attention's activation-by-activation MatMuls included).
import type { Workload } from '../workload.js';
import { matmulDims } from './onnx-compute-rules.js';
import { OpContext } from './onnx-context.js';
import type { ImportedOnnx } from './onnx-graph.js';
import { productWeight } from './onnx-pattern-kit.js';
import type { OnnxNode } from './onnx-read.js';
import { fuseTokenPatterns } from './onnx-token-patterns.js';
import { size } from './onnx-tensor.js';

const layerOps = new Set(['Conv', 'Gemm', 'MatMul', 'BatchNormalization', 'LayerNormalization']);
/** Inputs of BatchNormalization that are running statistics (input_mean, input_var). */
const bufferInputs = new Set([3, 4]);

/** Names of the trained weights a node reads. */
export function paramInputs(onnx: ImportedOnnx, node: OnnxNode): string[] {
  return node.inputs.filter(
    (name, i) =>
      name !== '' &&
      onnx.values.get(name)?.param === true &&
      !(node.opType === 'BatchNormalization' && bufferInputs.has(i)),
  );
}

/** Multiply-accumulates of one forward pass of a node at the file's batch of 1. */
export function nodeMacs(onnx: ImportedOnnx, node: OnnxNode): number {
  const shape = (i: number): number[] => onnx.values.get(node.inputs[i] ?? '')?.shape ?? [];
  const out = onnx.values.get(node.outputs[0] ?? '')?.shape ?? [];
  switch (node.opType) {
    case 'Conv':
      return size(out) * size(shape(1).slice(1));
    case 'Gemm':
      return size(out) * ((node.attributes.get('transA') === 1 ? shape(0)[0] : shape(0)[1]) ?? 0);
    case 'MatMul': {
      const inputs = node.inputs.map((name) => onnx.values.get(name));
      const d = matmulDims(new OpContext(node, inputs, onnx.graph.opset, onnx.graph.file));
      return size(d.batch) * d.m * d.n * d.k;
    }
    default:
      return 0;
  }
}

export function onnxWorkload(onnx: ImportedOnnx): Workload {
  const params = new Map<string, number>();
  let layers = 0;
  let macs = 0;
  for (const node of onnx.compute) {
    const weights = paramInputs(onnx, node);
    for (const name of weights) params.set(name, size(onnx.values.get(name)?.shape ?? []));
    const transposedWeight = node.opType === 'MatMul' && weights.length === 0 && isTransposedWeight(onnx, node);
    if (layerOps.has(node.opType) && (weights.length > 0 || transposedWeight)) layers++;
    macs += nodeMacs(onnx, node);
  }
  // A fused LayerNorm is the decomposition (a LayerNormalization node counted itself above).
  for (const fused of fuseTokenPatterns(onnx).fused.values())
    if (fused.layers.length === 1 && fused.layers[0]?.kind === 'layernorm') layers++;
  const parameters = [...params.values()].reduce((a, b) => a + b, 0);
  return { parameters, paramLayers: layers, forwardMacsPerSample: macs };
}

/** A MatMul whose second input is a Transpose of a trained weight (nn.Linear exported without constant folding). */
function isTransposedWeight(onnx: ImportedOnnx, node: OnnxNode): boolean {
  const name = node.inputs[1] ?? '';
  return onnx.values.get(name)?.constant === undefined && productWeight(onnx, name) !== undefined;
}

// The workload of an imported ONNX graph, in the terms of src/models/workload.ts: parameters (the float
// initializers the compute nodes read, each distinct value once; batch-norm running statistics are
// buffers, not parameters), parametrised layers (Conv, Gemm, MatMul on a weight, BatchNormalization,
// LayerNormalization) and the exact multiply-accumulates of one sample's forward pass (Conv, Gemm and
// MatMul, attention's activation-by-activation MatMuls included).
import type { Workload } from '../workload.js';
import { matmulDims } from './onnx-compute-rules.js';
import { OpContext } from './onnx-context.js';
import type { ImportedOnnx } from './onnx-graph.js';
import type { OnnxNode } from './onnx-read.js';
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
    if (layerOps.has(node.opType) && weights.length > 0) layers++;
    macs += nodeMacs(onnx, node);
  }
  const parameters = [...params.values()].reduce((a, b) => a + b, 0);
  return { parameters, paramLayers: layers, forwardMacsPerSample: macs };
}

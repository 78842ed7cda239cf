// One ONNX compute node as alrflow layers (src/models/layers.ts) with its starting weights: Conv (an
// inference-mode BatchNormalization right after it folds into its weights and bias, as inference
// computes it), Gemm and MatMul on a weight (a following Add of a bias vector joins it), the op table's
// activations, MaxPool and AveragePool (equal pads on every side; AveragePool's count_include_pad), GlobalAveragePool,
// Flatten and per-sample-preserving Reshape. Anything else is refused naming the node.
import { isActivationName } from '../../../kernels/ops/activations.js';
import type { Layer } from '../layers.js';
import type { ConvertedNode, GraphView } from './onnx-layer-types.js';
import { productWeight } from './onnx-pattern-kit.js';
import type { OnnxNode, OnnxTensor } from './onnx-read.js';
import { size } from './onnx-tensor.js';
import { classToken, layerNormalization, positionEmbedding, tokenPool } from './onnx-token-layers.js';

export type { ConvertedNode, GraphView, LayerWeights } from './onnx-layer-types.js';

const schemaNote =
  'allowed: Conv (square, group 1, no dilation, equal pads) with an optional BatchNormalization after it, Gemm, MatMul on a weight, activations of the op table, MaxPool and AveragePool (equal pads less than the window; count_include_pad 0 or 1), GlobalAveragePool, Flatten, Reshape to [1, -1], the token layers of a transformer (LayerNorm or its decomposition, GELU or its Erf decomposition, attention on a Split Q|K|V or as nn.MultiheadAttention exports it, class token Concat, position embedding Add, class or mean pooling), residuals (Add of a branch and the input or of two branches forked at one value)';

export function refuse(view: GraphView, node: OnnxNode, what: string): never {
  return view.context(node).fail(`${what} cannot become an alrflow network layer; ${schemaNote}`);
}

function constant(view: GraphView, node: OnnxNode, i: number): OnnxTensor {
  return view.context(node).constInput(i);
}

/** The layers of `node`, reached by the walk at `value` (one of its inputs). */
export function convertNode(view: GraphView, node: OnnxNode, value: string): ConvertedNode {
  const out = node.outputs[0] ?? '';
  const fused = view.fused.get(node);
  if (fused) return fused;
  const activation = node.opType.toLowerCase();
  if (isActivationName(activation))
    return { layers: [{ kind: activation, name: node.name }], weights: new Map(), output: out };
  switch (node.opType) {
    case 'Conv':
      return convLayer(view, node);
    case 'Gemm':
    case 'MatMul':
      return linearLayer(view, node);
    case 'MaxPool':
    case 'AveragePool':
    case 'GlobalAveragePool':
      return poolLayer(view, node);
    case 'Flatten':
    case 'Reshape':
      return flattenLayer(view, node);
    case 'Identity':
    case 'Dropout':
      return { layers: [], weights: new Map(), output: out };
    default:
      return tokenNode(view, node, value);
  }
}

function tokenNode(view: GraphView, node: OnnxNode, value: string): ConvertedNode {
  const refuseNode = (n: OnnxNode, what: string): never => refuse(view, n, what);
  switch (node.opType) {
    case 'LayerNormalization':
      return layerNormalization(view, node, refuseNode);
    case 'Concat':
      return classToken(view, node, value, refuseNode);
    case 'Add':
      return positionEmbedding(view, node, value, refuseNode);
    case 'Gather':
    case 'Slice':
    case 'ReduceMean':
      return tokenPool(view, node, refuseNode);
    default:
      return refuse(view, node, `${node.opType}`);
  }
}

function convLayer(view: GraphView, node: OnnxNode): ConvertedNode {
  const c = view.context(node);
  const w = constant(view, node, 1);
  const [outChannels = 0, inChannels = 0, kh = 0, kw = 0] = w.dims;
  const strides = c.ints('strides', [1, 1]);
  const pads = c.ints('pads', [0, 0, 0, 0]);
  const plain =
    w.dims.length === 4 &&
    kh === kw &&
    c.int('group', 1) === 1 &&
    c.ints('dilations', [1, 1]).every((d) => d === 1) &&
    strides[0] === strides[1] &&
    pads.every((p) => p === pads[0]) &&
    ['NOTSET', 'VALID'].includes(c.string('auto_pad', 'NOTSET'));
  if (!plain) refuse(view, node, 'this Conv (non-square, grouped, dilated, asymmetric padding or auto_pad SAME)');
  const weights = Float64Array.from(w.values);
  const biases = c.optional(2) ? Float64Array.from(constant(view, node, 2).values) : new Float64Array(outChannels);
  const layer: Layer = {
    kind: 'conv2d',
    name: node.name,
    inChannels,
    outChannels,
    kernelSize: kh,
    stride: strides[0] ?? 1,
    padding: pads[0] ?? 0,
  };
  let output = node.outputs[0] ?? '';
  const bn = view.soleConsumer(output);
  if (bn?.opType === 'BatchNormalization' && bn.inputs[0] === output) {
    foldBatchNorm(view, bn, weights, biases);
    output = bn.outputs[0] ?? '';
  }
  return { layers: [layer], weights: new Map([[node.name, { weights, biases }]]), output };
}

/** Inference-mode batch norm into the conv before it: w *= g / sqrt(v + eps), b = (b - m) * that + beta. */
function foldBatchNorm(view: GraphView, bn: OnnxNode, weights: Float64Array, biases: Float64Array): void {
  const c = view.context(bn);
  if (c.int('training_mode', 0) === 1 || bn.outputs.filter((o) => o !== '').length > 1)
    refuse(view, bn, 'a training-mode BatchNormalization');
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => constant(view, bn, i).values);
  const eps = view.context(bn).node.attributes.get('epsilon');
  const epsilon = typeof eps === 'number' ? eps : 1e-5;
  const perChannel = weights.length / biases.length;
  for (let o = 0; o < biases.length; o++) {
    const scale = (gamma?.[o] ?? 1) / Math.sqrt((variance?.[o] ?? 1) + epsilon);
    for (let j = 0; j < perChannel; j++) weights[o * perChannel + j] = (weights[o * perChannel + j] ?? 0) * scale;
    biases[o] = ((biases[o] ?? 0) - (mean?.[o] ?? 0)) * scale + (beta?.[o] ?? 0);
  }
}

function linearLayer(view: GraphView, node: OnnxNode): ConvertedNode {
  const c = view.context(node);
  const x = c.input(0).shape;
  const perToken = node.opType === 'MatMul' && x.length === 3;
  const b = productWeight(view.onnx, node.inputs[1] ?? '');
  if ((x.length !== 2 && !perToken) || x[0] !== 1 || !b || c.int('transA', 0) === 1)
    refuse(
      view,
      node,
      `${node.opType} on [${x.join(', ')}] (a weight on a per-sample vector [1, features] or, MatMul, per token of [1, tokens, features])`,
    );
  const transposed = node.opType === 'Gemm' && c.int('transB', 0) === 1;
  const [inFeatures, outFeatures] = transposed ? [b.dims[1] ?? 0, b.dims[0] ?? 0] : [b.dims[0] ?? 0, b.dims[1] ?? 0];
  const alpha = node.opType === 'Gemm' ? floatAttr(node, 'alpha', 1) : 1;
  const weights = new Float64Array(inFeatures * outFeatures);
  for (let o = 0; o < outFeatures; o++)
    for (let i = 0; i < inFeatures; i++)
      weights[o * inFeatures + i] = alpha * (b.values[transposed ? o * inFeatures + i : i * outFeatures + o] ?? 0);
  let output = node.outputs[0] ?? '';
  let bias = node.opType === 'Gemm' && c.optional(2) ? constant(view, node, 2) : undefined;
  const scale = node.opType === 'Gemm' ? floatAttr(node, 'beta', 1) : 1;
  const add = view.soleConsumer(output);
  const other = add?.inputs.find((name) => name !== output);
  if (!bias && add?.opType === 'Add' && other && view.onnx.values.get(other)?.param) {
    bias = constant(view, add, add.inputs.indexOf(other));
    output = add.outputs[0] ?? '';
  }
  const biases = new Float64Array(outFeatures);
  if (bias) for (let o = 0; o < outFeatures; o++) biases[o] = scale * (bias.values[size(bias.dims) === 1 ? 0 : o] ?? 0);
  const layer: Layer = { kind: 'linear', name: node.name, inFeatures, outFeatures };
  return { layers: [layer], weights: new Map([[node.name, { weights, biases }]]), output };
}

function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  const v = node.attributes.get(name);
  return typeof v === 'number' ? v : fallback;
}

function poolLayer(view: GraphView, node: OnnxNode): ConvertedNode {
  const c = view.context(node);
  const [, , h = 0, w = 0] = c.input(0).shape;
  const output = node.outputs[0] ?? '';
  const kind = node.opType === 'MaxPool' ? 'maxpool' : 'avgpool';
  if (node.opType === 'GlobalAveragePool') {
    if (h !== w) refuse(view, node, `GlobalAveragePool on a non-square ${h}x${w} input`);
    return { layers: [{ kind, name: node.name, size: h, stride: h }], weights: new Map(), output };
  }
  const k = c.ints('kernel_shape', []);
  const strides = c.ints(
    'strides',
    k.map(() => 1),
  );
  const pads = c.ints('pads', [0, 0, 0, 0]);
  const padding = pads[0] ?? 0;
  const plain =
    k.length === 2 &&
    k[0] === k[1] &&
    strides[0] === strides[1] &&
    pads.every((p) => p === padding) &&
    padding < (k[0] ?? 0) &&
    c.int('ceil_mode', 0) === 0 &&
    c.ints('dilations', [1, 1]).every((d) => d === 1) &&
    ['NOTSET', 'VALID'].includes(c.string('auto_pad', 'NOTSET')) &&
    node.outputs.filter((o) => o !== '').length === 1;
  if (!plain)
    refuse(
      view,
      node,
      `this ${node.opType} (pads not less than the window, unequal pads, ceil_mode, dilated, non-square or with indices)`,
    );
  const window = { name: node.name, size: k[0] ?? 1, stride: strides[0] ?? 1, ...(padding > 0 ? { padding } : {}) };
  const countIncludePad = kind === 'avgpool' && padding > 0 && c.int('count_include_pad', 0) === 1;
  const layer: Layer = { kind, ...window, ...(countIncludePad ? { countIncludePad } : {}) };
  return { layers: [layer], weights: new Map(), output };
}

function flattenLayer(view: GraphView, node: OnnxNode): ConvertedNode {
  const c = view.context(node);
  const x = c.input(0).shape;
  const out = view.onnx.values.get(node.outputs[0] ?? '')?.shape ?? [];
  const output = node.outputs[0] ?? '';
  if (out.length === x.length && out.every((d, i) => d === x[i])) return { layers: [], weights: new Map(), output };
  if (out.length !== 2 || out[0] !== 1)
    refuse(view, node, `${node.opType} from [${x.join(', ')}] to [${out.join(', ')}] (only flattening a sample)`);
  return { layers: x.length > 2 ? [{ kind: 'flatten', name: node.name }] : [], weights: new Map(), output };
}

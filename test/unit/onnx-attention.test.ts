// A transformer block as PyTorch exports it (LayerNorm as its opset-13 decomposition or as
// LayerNormalization at opset 17/18, a fused QKV MatMul split in three, heads by shape arithmetic,
// Q·Kᵀ scaled, Softmax, ·V, GELU as its Erf decomposition, residual Adds): every value's inferred
// shape equals onnxruntime-node's, and forwardMacsPerSample counts the four weight MatMuls, the two
// attention MatMuls and the MLP exactly.
import * as ort from 'onnxruntime-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { importOnnxFile } from '../../src/models/importers/onnx-graph.js';
import { onnxWorkload } from '../../src/models/importers/onnx-workload.js';
import { OnnxBuilder } from '../fixtures/onnx-builder.js';

const T = 5;
const D = 8;
const H = 2;
const M = 16;
const dir = mkdtempSync(join(tmpdir(), 'alrflow-onnx-attn-'));

function layerNorm(b: OnnxBuilder, x: string, name: string): string {
  const gamma = b.weight(`${name}.weight`, [D], 1);
  const beta = b.weight(`${name}.bias`, [D]);
  if (b.opset >= 17) return b.op('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: 1e-5 });
  const mean = b.op('ReduceMean', [x], { axes: [-1], keepdims: 1 });
  const centred = b.op('Sub', [x, mean]);
  const two = b.op('Constant', [], { value: { dims: [], values: [2] } });
  const variance = b.op('ReduceMean', [b.op('Pow', [centred, two])], { axes: [-1], keepdims: 1 });
  const eps = b.op('Constant', [], { value: { dims: [], values: [1e-5] } });
  const normed = b.op('Div', [centred, b.op('Sqrt', [b.op('Add', [variance, eps])])]);
  return b.op('Add', [b.op('Mul', [normed, gamma]), beta]);
}

function heads(b: OnnxBuilder, x: string, perm: number[]): string {
  const batch = b.op('Gather', [
    b.op('Shape', [x]),
    b.op('Constant', [], { value: { dims: [], values: [0], int64: true } }),
  ]);
  const shape = b.op(
    'Concat',
    [b.op('Unsqueeze', [batch, b.ints(`u${perm.join('')}${x}`, [0])]), b.ints(`s${x}`, [-1, H, D / H])],
    {
      axis: 0,
    },
  );
  return b.op('Transpose', [b.op('Reshape', [x, shape])], { perm });
}

function gelu(b: OnnxBuilder, x: string): string {
  const c = (v: number): string => b.op('Constant', [], { value: { dims: [], values: [v] } });
  const erf = b.op('Erf', [b.op('Div', [x, c(Math.SQRT2)])]);
  return b.op('Mul', [b.op('Mul', [x, b.op('Add', [erf, c(1)])]), c(0.5)]);
}

function linear(b: OnnxBuilder, x: string, name: string, inF: number, outF: number): string {
  return b.op('Add', [b.op('MatMul', [x, b.weight(`${name}.weight`, [inF, outF])]), b.weight(`${name}.bias`, [outF])]);
}

function block(opset: number): { bytes: Uint8Array; values: string[] } {
  const b = new OnnxBuilder(opset);
  const x = b.input('x', [1, T, D]);
  const qkv = linear(b, layerNorm(b, x, 'ln1'), 'qkv', D, 3 * D);
  const [q, k, v] =
    opset >= 18
      ? b.node('Split', [qkv], { axis: -1, num_outputs: 3 }, 3)
      : b.node('Split', [qkv, b.ints('split', [D, D, D])], { axis: -1 }, 3);
  const scores = b.op('MatMul', [heads(b, q as string, [0, 2, 1, 3]), heads(b, k as string, [0, 2, 3, 1])]);
  const scaled = b.op('Div', [scores, b.op('Constant', [], { value: { dims: [], values: [Math.sqrt(D / H)] } })]);
  const context = b.op('MatMul', [b.op('Softmax', [scaled], { axis: -1 }), heads(b, v as string, [0, 2, 1, 3])]);
  const merged = b.op('Reshape', [b.op('Transpose', [context], { perm: [0, 2, 1, 3] }), b.ints('merge', [1, T, D])]);
  const y = b.op('Add', [x, linear(b, merged, 'proj', D, D)]);
  const mlp = linear(b, gelu(b, linear(b, layerNorm(b, y, 'ln2'), 'fc1', D, M)), 'fc2', M, D);
  const out = b.op('Add', [y, mlp]);
  b.output(out, [1, T, D]);
  return { bytes: b.encode(), values: [qkv, scores, context, merged, y, out] };
}

const macs = T * D * 3 * D + 2 * (H * T * T * (D / H)) + T * D * D + T * D * M + T * M * D;
const parameters = 2 * (2 * D) + (D * 3 * D + 3 * D) + (D * D + D) + (D * M + M) + (M * D + D);

test.each([13, 17, 18])('opset %i: shapes as onnxruntime computes them; exact MACs and parameters', async (opset) => {
  const { bytes, values } = block(opset);
  const file = join(dir, `block-${opset}.onnx`);
  writeFileSync(file, bytes);
  const onnx = importOnnxFile(file);
  expect(onnx.compute.map((n) => n.opType)).not.toContain('Shape');
  expect(onnxWorkload(onnx)).toEqual({ parameters, paramLayers: 6, forwardMacsPerSample: macs });
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ x: new ort.Tensor('float32', new Float32Array(T * D).fill(0.5), [1, T, D]) });
  const out = values.at(-1) ?? '';
  expect(onnx.values.get(out)?.shape).toEqual([...(result[out]?.dims ?? [])]);
  expect(values.slice(0, -1).map((v) => onnx.values.get(v)?.shape)).toEqual([
    [1, T, 3 * D],
    [1, H, T, T],
    [1, H, T, D / H],
    [1, T, D],
    [1, T, D],
  ]);
});

// The other branches of the nn.MultiheadAttention pattern (src/models/importers/onnx-mha-pattern.ts)
// than torchvision's export takes (test/unit/onnx-torch-vit.test.ts): Q, K, V by one Split instead of
// three Slices, the 1/sqrt(head width) scale on Q K^T instead of on Q, and the out-projection as MatMul
// plus Add instead of Gemm, on a [1, T, D] sequence input with mean pooling and a Gemm head. Each
// imports as linear(D, 3D), attention, linear(D, D), and the float64 forward equals onnxruntime-node's
// within 1e-4 relative; a scale by 1/sqrt(width) (not the head width) is not that pattern and is
// refused naming the module's first node.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect, test } from 'vitest';
import { forward } from '../../src/estimators/forward.js';
import { loadOnnxNetwork } from '../../src/models/importers/onnx-network.js';
import { OnnxBuilder } from '../fixtures/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'alrflow-onnx-mha-'));
const [T, D, H, C] = [5, 8, 2, 3];

interface Variant {
  qkv: 'slice' | 'split';
  scale: 'q' | 'scores';
  outProj: 'gemm' | 'matmul';
  /** The scale's divisor (sqrt of the head width unless a test breaks it). */
  divisor?: number;
}

function heads(b: OnnxBuilder, part: string, perm: number[]): string {
  return b.op('Transpose', [b.op('Reshape', [part, b.ints(`shape.${part}`, [T, H, D / H])])], { perm });
}

function qkvParts(b: OnnxBuilder, proj: string, v: Variant): string[] {
  if (v.qkv === 'split') return b.node('Split', [proj, b.ints('split', [D, D, D])], { axis: -1 }, 3);
  return [0, 1, 2].map((i) =>
    b.op('Slice', [proj, b.ints(`start${i}`, [i * D]), b.ints(`end${i}`, [(i + 1) * D]), b.ints(`axes${i}`, [-1])]),
  );
}

function mhaOnnx(v: Variant): Uint8Array {
  const b = new OnnxBuilder(13);
  const constant = (value: number): string => b.op('Constant', [], { value: { dims: [], values: [value] } });
  const x = b.input('x', [1, T, D]);
  const first = b.op('Transpose', [x], { perm: [1, 0, 2] });
  const proj = b.op('Add', [
    b.weight('in_proj_bias', [3 * D], 0.2),
    b.op('MatMul', [first, b.weight('in_w', [D, 3 * D], 0.5)]),
  ]);
  const [q0, k0, v0] = qkvParts(b, proj, v) as [string, string, string];
  const divisor = v.divisor ?? Math.sqrt(D / H);
  let q = heads(b, q0, [1, 0, 2]);
  if (v.scale === 'q') q = b.op('Div', [q, constant(divisor)]);
  let scores = b.op('MatMul', [q, heads(b, k0, [1, 2, 0])]);
  if (v.scale === 'scores') scores = b.op('Mul', [scores, constant(1 / divisor)]);
  const context = b.op('MatMul', [b.op('Softmax', [scores], { axis: -1 }), heads(b, v0, [1, 0, 2])]);
  const merged = b.op('Reshape', [b.op('Transpose', [context], { perm: [1, 0, 2] }), b.ints('merge', [T, D])]);
  const out =
    v.outProj === 'gemm'
      ? b.op('Gemm', [merged, b.weight('out_w', [D, D], 0.4), b.weight('out_b', [D], 0.2)], { transB: 1 })
      : b.op('Add', [b.op('MatMul', [merged, b.weight('out_w', [D, D], 0.4)]), b.weight('out_b', [D], 0.2)]);
  const y = b.op('Transpose', [b.op('Reshape', [out, b.ints('unflat', [T, 1, D])])], { perm: [1, 0, 2] });
  const pooled = b.op('ReduceMean', [y], { axes: [1], keepdims: 0 });
  const head = b.op('Gemm', [pooled, b.weight('head_w', [C, D], 0.5), b.weight('head_b', [C], 0.2)], { transB: 1 });
  b.output(head, [1, C]);
  return b.encode();
}

const variants: Variant[] = [
  { qkv: 'split', scale: 'scores', outProj: 'matmul' },
  { qkv: 'slice', scale: 'scores', outProj: 'gemm' },
  { qkv: 'split', scale: 'q', outProj: 'gemm' },
];

test.each(variants)(
  'Q|K|V by $qkv, scale on $scale, out-projection $outProj: forward equals onnxruntime',
  async (v) => {
    const bytes = mhaOnnx(v);
    const file = join(dir, `mha-${v.qkv}-${v.scale}-${v.outProj}.onnx`);
    writeFileSync(file, bytes);
    const { network, weights } = loadOnnxNetwork(file);
    expect(network.layers.map((l) => l.kind)).toEqual(['linear', 'attention', 'linear', 'mean-pool', 'linear']);
    expect(network.layers[1]).toMatchObject({ heads: H, causal: false });
    const session = await ort.InferenceSession.create(bytes);
    const input = Float32Array.from({ length: T * D }, (_, i) => Math.sin(0.7 * i + 0.3));
    const expected = (await session.run({ x: new ort.Tensor('float32', input, [1, T, D]) }))[
      session.outputNames[0] ?? ''
    ]?.data as Float32Array;
    const { logits } = forward({ network, params: weights, input: Float64Array.from(input), rows: 1, keep: 'none' });
    const scale = Math.max(...Array.from(expected, Math.abs));
    expect(scale).toBeGreaterThan(1e-2);
    expect(Math.max(...Array.from(logits, (l, i) => Math.abs(l - (expected[i] ?? 0)))) / scale).toBeLessThan(1e-4);
  },
);

test('a scale by 1/sqrt(width) instead of the head width is not attention: refused naming the first node', () => {
  const file = join(dir, 'mha-wrong-scale.onnx');
  writeFileSync(file, mhaOnnx({ qkv: 'slice', scale: 'q', outProj: 'gemm', divisor: Math.sqrt(D) }));
  expect(() => loadOnnxNetwork(file)).toThrow(
    /node Transpose_0 \(Transpose\): Transpose cannot become an alrflow network layer/,
  );
});

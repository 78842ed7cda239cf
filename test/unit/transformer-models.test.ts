// Token-sequence layers and the shipped transformers: shapes, parameter counts and forward MACs by
// hand (GPT-2 small's published 124,439,808 parameters plus the head's 50,257 biases), and the
// compiler's expansion of attention (batched MatMul nodes around a Softmax), LayerNorm and GELU.
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { workOf } from '../../src/ir/work-of.js';
import type { IrNode } from '../../src/ir/types.js';
import { parseNetworkText } from '../../src/models/network-file.js';
import { paramLayers, parameterCount } from '../../src/models/layers.js';
import { buildModel } from '../../src/models/registry.js';
import { inferShapes, labelsPerSample } from '../../src/models/shapes.js';
import { gpt } from '../../src/models/transformer-builders.js';
import { workloadOf } from '../../src/models/workload.js';
import { summaryTable } from '../../sim/job.js';
import { simulate } from '../../sim/simulate.js';
import { loadHwModel } from '../../src/hw/load.js';
import { singleCoreHw } from '../fixtures/compiler-hw.js';

const gptMini = gpt({ name: 'gpt-mini', sequence: 8, vocabulary: 11, width: 16, heads: 2, mlp: 32, blocks: 2 });

/** Forward MACs of a pre-norm decoder stack over T tokens of width F, MLP M, V classes. */
function decoderMacs(blocks: number, T: number, F: number, M: number, V: number): number {
  const perBlock = T * F * 3 * F + T * F * F + 2 * T * F * M + 2 * T * T * F;
  return blocks * perBlock + T * F * V;
}

describe('gpt2-small', () => {
  const network = buildModel('gpt2-small');
  test('parameters: GPT-2 small (124,439,808 with the tied embedding) plus the head bias; one label per token', () => {
    const w = workloadOf(network);
    expect(w.parameters).toBe(124_439_808 + 50_257);
    // 12 blocks x (2 layernorms + 4 linears), the position embedding, the final layernorm and the head.
    expect(w.paramLayers).toBe(12 * 6 + 3);
    expect(labelsPerSample(network)).toBe(1024);
  });
  test('forward MACs: every linear per token and attention two T^2 x width matmuls', () => {
    expect(workloadOf(network).forwardMacsPerSample).toBe(decoderMacs(12, 1024, 768, 3072, 50257));
    expect(workloadOf(network).forwardMacsPerSample).toBe(145_824_153_600);
  });
});

test('vit-tiny: 16 patches of 7x7 plus the class token, width 64; parameters counted by hand', () => {
  const network = buildModel('vit-tiny');
  const shapes = inferShapes(network);
  expect(shapes.get('patch.tokens')!.output).toEqual([16, 64]);
  expect(shapes.get('cls')!.output).toEqual([17, 64]);
  expect(shapes.get('block1.attention')!.input).toEqual([17, 192]);
  expect(shapes.get('pool')!.output).toEqual([64]);
  const block = 2 * 128 + (64 * 192 + 192) + (64 * 64 + 64) + (64 * 128 + 128) + (128 * 64 + 64);
  const params = 49 * 64 + 64 + 64 + 17 * 64 + 2 * block + 128 + 64 * 10 + 10;
  expect(workloadOf(network).parameters).toBe(params);
  const macs = 16 * 49 * 64 + 2 * (17 * 64 * 192 + 17 * 64 * 64 + 2 * 17 * 64 * 128 + 2 * 17 * 17 * 64) + 640;
  expect(workloadOf(network).forwardMacsPerSample).toBe(macs);
});

test('shape errors name the layer, what was found and what is allowed', () => {
  const bad = {
    ...gptMini,
    layers: [{ kind: 'attention', name: 'att', heads: 5, causal: true } as const, ...gptMini.layers],
  };
  expect(() => inferShapes(bad)).toThrow(/layer att \(attention\): input shape \[8, 16\].*multiple of 5 heads/);
  const text = JSON.stringify({ ...gptMini, layers: [{ kind: 'layernorm', name: 'ln0', features: 15 }] });
  expect(() => parseNetworkText(text, 'f.json')).toThrow(/layer ln0 \(layernorm\).*\[tokens, 15\]/);
});

test('a network file names the token layers as the builders do', () => {
  const network = parseNetworkText(JSON.stringify(gptMini), 'gpt-mini.json');
  expect(workloadOf(network)).toEqual(workloadOf(gptMini));
});

describe('BP expansion of a small decoder', () => {
  const N = 3;
  const step = compile(gptMini, singleCoreHw, { method: 'bp', batch: N, copies: 1, schedule: 'bp-sequential' });
  const nodes = step.graph.nodes;
  const macs = (n: IrNode): number => {
    const w = workOf(n);
    return w.kind === 'gemm' ? w.m * w.n * w.k * w.groups : 0;
  };
  const of = (kind: IrNode['kind'], phase: string) => nodes.filter((n) => n.kind === kind && n.phase === phase);
  test('forward MatMul MACs equal N x the workload MACs (attention included)', () => {
    const forward = of('MatMul', 'forward').reduce((s, n) => s + macs(n), 0);
    expect(forward).toBe(N * workloadOf(gptMini).forwardMacsPerSample);
    expect(forward).toBe(N * decoderMacs(2, 8, 16, 32, 11));
  });
  test('attention: per row and head a T x T score product, a causal scaled Softmax, a T x d context product', () => {
    const qk = nodes.find((n) => n.id === 'block1.attention.qk');
    expect(qk).toMatchObject({ kind: 'MatMul', m: 8, n: 8, k: 8, groups: N * 2 });
    const softmax = of('Softmax', 'forward');
    expect(softmax).toHaveLength(2);
    expect(softmax[0]).toMatchObject({ causal: true, width: 8, scale: 1 / Math.sqrt(8), elements: N * 2 * 64 });
    expect(nodes.find((n) => n.id === 'block1.attention.pv')).toMatchObject({ m: 8, n: 8, k: 8, groups: N * 2 });
  });
  test('backward: four attention products, a softmax backward, LayerNorm and GELU backward nodes', () => {
    expect(of('MatMul', 'backward').filter((n) => n.layer === 'block1.attention')).toHaveLength(4);
    expect(of('Softmax', 'backward')).toHaveLength(2);
    expect(of('LayerNorm', 'backward').map((n) => n.layer)).toContain('block2.ln2');
    const gelu = nodes.filter((n) => n.kind === 'BiasAct' && n.act === 'gelu');
    expect(gelu.map((n) => n.phase)).toEqual(['forward', 'forward', 'backward', 'backward']);
    expect(workOf(gelu[0]!)).toMatchObject({ kind: 'vector', elements: N * 8 * 32, op: 'BiasAct' });
  });
  test('the loss reads every token: rows N, tokens 8, classes 11', () => {
    expect(nodes.find((n) => n.kind === 'Loss')).toMatchObject({ rows: N, tokens: 8, classes: 11 });
    expect(step.graph.tensors['labels']!.shape).toEqual([N * 8]);
  });
});

test('simulate reports work by layer: the layers sum to macsPerIteration; attention counts its four backward products', () => {
  const N = 2;
  const step = compile(gptMini, singleCoreHw, { method: 'bp', batch: N, copies: 1, schedule: 'bp-sequential' });
  const report = simulate(step, { iterations: 1 });
  const byLayer = report.work!.byLayer!;
  expect(byLayer.reduce((s, l) => s + l.macs, 0)).toBe(report.work!.macsPerIteration);
  // Forward Q K^T and P V, backward dP, dV, dQ, dK: six T x T x width products per sample.
  expect(byLayer.find((l) => l.layer === 'block1.attention')!.macs).toBe(N * 6 * 8 * 8 * 16);
  expect(byLayer.find((l) => l.layer === 'block1.ln1')!.vectorOps).toBeGreaterThan(0);
  expect(summaryTable(report)).toMatch(/work \/ iteration +\S+ MACs; most: \S+ \d/);
});

test('gpt2-small simulates on gpu-like (BP, one sequence): attention six 1024 x 1024 x 768 products per block', () => {
  const step = compile(buildModel('gpt2-small'), loadHwModel('gpu-like'), {
    method: 'bp',
    batch: 1,
    copies: 1,
    schedule: 'bp-sequential',
  });
  const report = simulate(step, { iterations: 2 });
  const byLayer = report.work!.byLayer!;
  expect(byLayer.find((l) => l.layer === 'block12.attention')!.macs).toBe(6 * 1024 * 1024 * 768);
  // Forward, input gradients (attention: four backward products) and weight gradients: three times
  // the forward's MACs, plus the bias column of each linear's weight-gradient product (outputs x 1024
  // tokens), layernorm's two columns (768 x 2 x 1024, 25 of them) and the position table's row sum.
  const biasColumns = 12 * (2304 + 768 + 3072 + 768) * 1024 + 50257 * 1024;
  const extra = biasColumns + 25 * 768 * 2 * 1024 + 1024 * 768;
  expect(report.work!.macsPerIteration).toBe(3 * 145_824_153_600 + extra);
});

test("vit-tiny's MACs per iteration are the step's, the same on every hardware model (the graph's nodes, not the shards)", () => {
  const network = buildModel('vit-tiny');
  const options = { method: 'alr' as const, batch: 8, copies: 4, schedule: 'sequential' as const };
  const reports = ['gpu-like', 'tpu-v1-like', 'multicore-16'].map((hw) =>
    simulate(compile(network, loadHwModel(hw), options), { iterations: 1 }),
  );
  const [first, ...rest] = reports.map((r) => r.work!);
  for (const work of rest) expect(work).toEqual(first);
  // ALR's forward runs the 17-token attention on N * K rows: Q K^T and P V, 17 x 17 x 64 each (no backward).
  expect(first!.byLayer!.find((l) => l.layer === 'block1.attention')!.macs).toBe(8 * 4 * 2 * 17 * 17 * 64);
});

describe.each(['es', 'aes'] as const)('%s expansion of vit-tiny: weight noise on every parameter set', (method) => {
  const [N, K] = [4, 3];
  const network = buildModel('vit-tiny');
  const step = compile(network, singleCoreHw, { method, batch: N, copies: K, schedule: 'sequential' });
  const nodes = step.graph.nodes;
  const node = (id: string): IrNode => nodes.find((n) => n.id === id)!;
  test('every parameter set (LayerNorm, class token, position table included) has K perturbed copies and a K-row product', () => {
    for (const layer of paramLayers(network.layers)) {
      const { weights, biases } = parameterCount(layer);
      expect(step.graph.tensors[`${layer.name}.params.copies`]!.shape, layer.name).toEqual([K, weights + biases]);
      expect(node(`${layer.name}.gradprod`), layer.name).toMatchObject({ m: weights + biases, n: 1, k: K });
    }
    expect(node('block1.ln1.ln').inputs[1]).toBe('block1.ln1.params.copies');
    expect(node('cls.class-token').inputs[1]).toBe('cls.params.copies');
    expect(node('position.position').inputs[1]).toBe('position.params.copies');
  });
  test('the forward runs N x K rows: K times the workload MACs, attention on N x K x heads groups, no backward', () => {
    const forward = nodes.filter((n) => n.kind === 'MatMul' && n.phase === 'forward');
    const macs = forward.reduce((s, n) => s + (n.kind === 'MatMul' ? n.m * n.n * n.k * n.groups : 0), 0);
    expect(macs).toBe(N * K * workloadOf(network).forwardMacsPerSample - N * K * 16 * 49 * 64);
    expect(node('block1.attention.qk')).toMatchObject({ m: 17, n: 17, k: 16, groups: N * K * 4 });
    expect(node('block1.qkv.mm')).toMatchObject({ m: N * 17, n: 192, k: 64, groups: K });
    expect(nodes.filter((n) => n.phase === 'backward')).toEqual([]);
  });
});

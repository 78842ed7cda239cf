// verifyGraph finds each kind of broken graph (and passes a correct one); tensorBytes packs sign
// bits into 32-bit words; workOf turns a convolution into its im2col GEMM.
import { describe, expect, test } from 'vitest';
import { expand } from '../../src/compiler/expand.js';
import { graphProblems, verifyGraph, GraphVerificationError } from '../../src/ir/verify-graph.js';
import { tensorBytes } from '../../src/ir/tensor-bytes.js';
import { opClass } from '../../src/ir/op-class.js';
import { workOf } from '../../src/ir/work-of.js';
import type { Graph, IrNode } from '../../src/ir/types.js';
import { mlp } from '../../src/models/builders.js';

const options = {
  method: 'alr',
  copies: 2,
  batch: 3,
  noiseStorage: 'sign-bits',
  layerwise: false,
  optimizer: 'sgd',
} as const;
const good = (): Graph => expand(mlp([8, 4, 3]), options);
const mutate = (f: (g: Graph) => void): string[] => {
  const g = structuredClone(good());
  f(g);
  return graphProblems(g);
};
const node = (g: Graph, id: string): IrNode => g.nodes.find((n) => n.id === id)!;

describe('verifyGraph', () => {
  test('accepts the expanded graph', () => expect(graphProblems(good())).toEqual([]));
  test('the graph declares each parametrised layer with what the runtime needs', () => {
    expect(good().params.map((p) => [p.layer, p.op, p.weights, p.biases, p.channels, p.stream, p.init])).toEqual([
      ['fc1', { kind: 'linear', inFeatures: 8, outFeatures: 4 }, 32, 4, 4, 0, { kind: 'uniform', fanIn: 8 }],
      ['fc2', { kind: 'linear', inFeatures: 4, outFeatures: 3 }, 12, 3, 3, 1, { kind: 'uniform', fanIn: 4 }],
    ]);
  });
  test('the graph declares its ports: what the caller sets before a step and reads after it', () => {
    const g = good();
    expect(g.inputs.map((p) => `${p.role}:${p.tensor}`)).toEqual([
      'batch:x',
      'labels:labels',
      'params:fc1.params',
      'params:fc2.params',
    ]);
    expect(g.outputs.map((p) => `${p.role}:${p.tensor}`).sort()).toEqual([
      'gradient:fc1.grad',
      'gradient:fc2.grad',
      'params:fc1.params.next',
      'params:fc2.params.next',
    ]);
    const adam = expand(mlp([8, 4, 3]), { ...options, optimizer: 'adam' });
    expect(adam.inputs.filter((p) => p.role === 'optimizer-state').map((p) => p.tensor)).toEqual([
      'fc1.opt',
      'fc2.opt',
    ]);
    expect(mutate((g) => (g.outputs[0]!.tensor = 'fc1.gone'))).toEqual([
      `output port ${g.outputs[0]!.role} of ${g.outputs[0]!.layer}: no tensor fc1.gone`,
    ]);
  });
  test('a parameter declaration that does not match its tensor', () => {
    expect(mutate((g) => (g.params[1]!.weights = 11))).toEqual(['param fc2: fc2.params holds 15 values, declared 14']);
    expect(mutate((g) => (g.params[0]!.tensor = 'fc1.out'))).toEqual(['param fc1: no weight tensor fc1.out']);
  });
  test('second producer of a tensor', () => {
    expect(mutate((g) => node(g, 'fc2.mm').outputs.push('fc1.z'))).toContainEqual(
      expect.stringMatching(/fc1.z has more than one producer/),
    );
  });
  test('cycle / reading before producing', () => {
    expect(mutate((g) => node(g, 'fc1.mm').inputs.push('fc2.z'))).toContainEqual(
      expect.stringMatching(/reads fc2.z before it is produced/),
    );
  });
  test('input nobody produces', () => {
    expect(
      mutate((g) => {
        g.tensors.ghost = { id: 'ghost', shape: [1], dtype: 'f32', cls: 'activation' };
        node(g, 'fc2.mm').inputs.push('ghost');
      }),
    ).toContainEqual(expect.stringMatching(/ghost.*nothing produces/));
  });
  test('unknown tensor', () =>
    expect(mutate((g) => node(g, 'fc2.mm').inputs.push('nope'))).toContainEqual(
      expect.stringMatching(/unknown tensor nope/),
    ));
  test('shape disagrees with the work', () => {
    expect(
      mutate((g) => {
        const n = node(g, 'fc1.mm');
        if (n.kind === 'MatMul') n.n = 5;
      }),
    ).toContainEqual(expect.stringMatching(/fc1.mm.*output fc1.z has 24 elements.*gives 30/));
  });
  test('dtype: sign bits must be bit, floats must match the float width', () => {
    expect(
      mutate((g) => {
        g.tensors['fc1.signs']!.dtype = 'f32';
      }),
    ).toContainEqual(expect.stringMatching(/fc1.signs: class sign-bits with dtype f32/));
    expect(
      mutate((g) => {
        g.tensors['fc1.z']!.dtype = 'f16';
      }),
    ).toContainEqual(expect.stringMatching(/fc1.z: dtype f16/));
  });
  test('throws a GraphVerificationError listing every problem', () => {
    const g = structuredClone(good());
    node(g, 'fc2.mm').inputs.push('nope');
    g.tensors['fc1.z']!.shape = [0];
    expect(() => verifyGraph(g)).toThrow(GraphVerificationError);
    expect(graphProblems(g).length).toBeGreaterThanOrEqual(2);
  });
});

test('tensorBytes packs 32 signs per 4-byte word and counts floats at the float width', () => {
  expect(tensorBytes({ id: 's', shape: [3, 11], dtype: 'bit', cls: 'sign-bits' }, 4)).toBe(8);
  expect(tensorBytes({ id: 's', shape: [32], dtype: 'bit', cls: 'sign-bits' }, 4)).toBe(4);
  expect(tensorBytes({ id: 'a', shape: [3, 11], dtype: 'f16', cls: 'activation' }, 2)).toBe(66);
});

test('workOf: a conv is an im2col GEMM (M = batch*outH*outW, N = outC, K = inC*k*k)', () => {
  const conv: IrNode = {
    id: 'c',
    kind: 'Conv2d',
    phase: 'forward',
    inputs: [],
    outputs: [],
    batch: 2,
    inChannels: 3,
    outChannels: 8,
    inHeight: 5,
    inWidth: 5,
    outHeight: 5,
    outWidth: 5,
    kernelSize: 3,
    stride: 1,
    padding: 1,
  };
  expect(workOf(conv)).toEqual({ kind: 'gemm', m: 50, n: 8, k: 27, groups: 1, op: 'Conv2d' });
  expect(workOf({ ...conv, batch: 8, groups: 4 })).toEqual({
    kind: 'gemm',
    m: 50,
    n: 8,
    k: 27,
    groups: 4,
    op: 'Conv2d',
  });
  expect(
    workOf(
      { id: 'a', kind: 'AllReduce', phase: 'communication', inputs: [], outputs: [], elements: 100, participants: 4 },
      4,
    ),
  ).toEqual({ kind: 'transfer', bytes: 600 });
});

test('opClass: the node kind, split where variants cost differently; data movement has none', () => {
  const base = { id: 'n', inputs: ['a', 'b'], outputs: [], phase: 'forward' as const };
  const product = {
    ...base,
    kind: 'GradProduct' as const,
    phase: 'gradient' as const,
    m: 2,
    n: 3,
    k: 4,
    groups: 1,
    signs: true,
  };
  expect(opClass({ ...base, kind: 'MatMul', m: 1, n: 1, k: 1, groups: 1 })).toBe('MatMul');
  expect(opClass({ ...base, kind: 'MatMul', phase: 'backward', m: 1, n: 1, k: 1, groups: 1 })).toBe('MatMul.backward');
  expect(opClass({ ...base, kind: 'NoiseInject', elements: 4, storage: 'sign-bits' })).toBe('NoiseInject.sign-bits');
  expect(opClass({ ...base, kind: 'NoiseInject', elements: 4, storage: 'sign-bits', spatial: true })).toBe(
    'NoiseInject.sign-bits.spatial',
  );
  expect(opClass({ ...base, kind: 'NoiseInject', inputs: [], elements: 4, storage: 'regenerate', spatial: true })).toBe(
    'NoiseInject.regenerate',
  );
  expect(opClass({ ...base, kind: 'SigmaGrad', elements: 4, channels: 2, normaliser: 4 })).toBe('SigmaGrad');
  expect(opClass(product)).toBe('GradProduct');
  expect(opClass({ ...product, inputs: ['x', 'signs', 'loss'] })).toBe('GradProduct.signal');
  expect(opClass({ ...product, space: 'weight' })).toBe('GradProduct.weight');
  expect(opClass({ ...base, kind: 'Reduce', inputs: ['signs', 'loss'], elements: 4, factor: 2 })).toBe('Reduce.signal');
  expect(opClass({ ...base, kind: 'OptimizerUpdate', elements: 4, optimizer: 'adam' })).toBe('OptimizerUpdate.adam');
  expect(opClass({ ...base, kind: 'Transfer', bytes: 8, fromCore: 0, toCore: 1 })).toBeUndefined();
});

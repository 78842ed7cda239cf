// The batchnorm clean pass is part of the noisy methods' step graph: a forward chain on the N clean
// rows (LR/ALR after the fold), ending at the last batchnorm, each batchnorm writing its statistics,
// which every noisy batchnorm of its layer reads. BP (which normalises with its own batch) has none,
// and a network without batchnorm gets none. The statistics are a graph edge in every method: the
// forward batchnorm that computes them writes them, the backward batchnorm and the layer's gradient
// product read them, and the verifier refuses a batchnorm without them.
import { expect, test } from 'vitest';
import { stepGraph } from '../../src/compiler/compile.js';
import { resolveCompileOptions } from '../../src/compiler/compile-options.js';
import type { Method } from '../../src/compiler/methods/names.js';
import { gradProductInputs } from '../../src/ir/graph.js';
import type { Graph, IrNode } from '../../src/ir/types.js';
import { graphProblems } from '../../src/ir/verify-graph.js';
import { mlp } from '../../src/models/builders.js';
import type { Network } from '../../src/models/layers.js';
import { smallCnn } from '../fixtures/bridge-networks.js';

const N = 4;
const graphOf = (network: Network, method: Method, layerwise = false) =>
  stepGraph(network, resolveCompileOptions({ method, copies: 3, batch: N, schedule: 'sequential', layerwise }));

test.each(['lr', 'alr', 'es', 'aes'] as const)(
  '%s: the clean pass runs on N rows up to the last batchnorm, and the noisy batchnorms read its statistics',
  (method) => {
    const graph = graphOf(smallCnn, method);
    const clean = graph.nodes.filter((n) => n.id.startsWith('clean/'));
    expect(clean.length).toBeGreaterThan(0);
    expect(clean.at(-1)!.kind).toBe('BatchNorm');
    for (const n of clean) if (n.kind === 'Conv2d') expect(n.batch).toBe(N);
    const noisy = graph.nodes.filter((n) => n.kind === 'BatchNorm' && !n.id.startsWith('clean/'));
    expect(noisy.length).toBeGreaterThan(0);
    for (const n of noisy) expect(n.inputs[2]).toBe(`clean/${n.layer}.stats`);
    const written = new Set(clean.flatMap((n) => n.outputs));
    for (const n of noisy) expect(written.has(n.inputs[2]!), n.id).toBe(true);
  },
);

test('layer-wise LR reads the clean statistics in every pass', () => {
  const graph = graphOf(smallCnn, 'lr', true);
  const noisy = graph.nodes.filter((n) => n.kind === 'BatchNorm' && !n.id.startsWith('clean/'));
  expect(noisy.length).toBeGreaterThan(0);
  for (const n of noisy) expect(n.inputs[2]).toBe(`clean/${n.layer}.stats`);
});

test('BP and networks without batchnorm have no clean pass', () => {
  expect(graphOf(smallCnn, 'bp').nodes.some((n) => n.id.startsWith('clean/'))).toBe(false);
  expect(graphOf(mlp([6, 5, 3]), 'alr').nodes.some((n) => n.id.startsWith('clean/'))).toBe(false);
});

const nodesOf = <K extends IrNode['kind']>(graph: Graph, kind: K) =>
  graph.nodes.filter((n): n is Extract<IrNode, { kind: K }> => n.kind === kind);

test('BP: each forward batchnorm writes its statistics; its backward and its gradient product read them', () => {
  const graph = graphOf(smallCnn, 'bp');
  const forward = nodesOf(graph, 'BatchNorm').filter((n) => n.phase === 'forward');
  expect(forward.length).toBeGreaterThan(0);
  for (const bn of forward) {
    const stats = `${bn.layer}.stats`;
    expect(bn.outputs).toEqual([expect.any(String), stats]);
    expect(graph.tensors[stats]).toMatchObject({ shape: [2, bn.channels], cls: 'activation', layer: bn.layer });
    const readers = graph.nodes.filter((n) => n.inputs.includes(stats)).map((n) => `${n.kind} ${n.phase}`);
    expect(readers).toContain('GradProduct backward');
    const product = nodesOf(graph, 'GradProduct').find((n) => n.layer === bn.layer)!;
    expect(product.batchStats).toBe(true);
    expect(gradProductInputs(product)).toEqual({ operands: product.inputs.slice(0, 2), stats });
  }
  const backward = nodesOf(graph, 'BatchNorm').filter((n) => n.phase === 'backward');
  expect(backward.length).toBeGreaterThan(0);
  for (const bn of backward) expect(bn.inputs[3]).toBe(`${bn.layer}.stats`);
});

test.each(['lr', 'alr', 'hybrid'] as const)(
  "%s: a batchnorm layer's gradient product reads the clean statistics",
  (method) => {
    const graph = graphOf(smallCnn, method);
    const products = nodesOf(graph, 'GradProduct').filter((n) => n.batchStats);
    expect(products.length).toBeGreaterThan(0);
    for (const n of products) expect(gradProductInputs(n).stats).toBe(`clean/${n.layer}.stats`);
  },
);

test('the fold leaves the statistics whole where N*K is 2 (their 2 is not a row count)', () => {
  const graph = stepGraph(
    smallCnn,
    resolveCompileOptions({ method: 'lr', copies: 2, batch: 1, schedule: 'sequential' }),
  );
  const stats = Object.values(graph.tensors).filter((t) => t.id.endsWith('.stats'));
  expect(stats.length).toBeGreaterThan(0);
  for (const t of stats) expect(t.shape[0]).toBe(2);
  expect(graphProblems(graph)).toEqual([]);
});

test('the verifier refuses a batchnorm or batchnorm gradient product without its statistics', () => {
  const graph = graphOf(smallCnn, 'bp');
  const dropped = {
    ...graph,
    nodes: graph.nodes.map((n) =>
      n.kind === 'BatchNorm' && n.phase === 'backward' ? { ...n, inputs: n.inputs.slice(0, 3) } : n,
    ),
  };
  expect(graphProblems(dropped).join('\n')).toMatch(/\(BatchNorm\): reads or writes no batch statistics/);
  const unflagged = {
    ...graph,
    nodes: graph.nodes.map((n) =>
      n.kind === 'GradProduct' && n.batchStats ? { ...n, inputs: n.inputs.slice(0, 2) } : n,
    ),
  };
  expect(graphProblems(unflagged).join('\n')).toMatch(
    /\(GradProduct\): statistics \S+ are \[[^\]]*\], expected \[2, \d+\]/,
  );
});

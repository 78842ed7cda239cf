// The batchnorm clean pass is part of the noisy methods' step graph: a forward chain on the N clean
// rows (LR/ALR after the fold), ending at the last batchnorm, each batchnorm writing its statistics,
// which every noisy batchnorm of its layer reads. BP (which normalises with its own batch) has none,
// and a network without batchnorm gets none.
import { expect, test } from 'vitest';
import { stepGraph } from '../../src/compiler/compile.js';
import { resolveCompileOptions } from '../../src/compiler/compile-options.js';
import type { Method } from '../../src/compiler/methods/names.js';
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

// In the LR/ALR step graph no gradient product depends on another layer's gradient: walking each
// GradProduct's ancestors finds only forward work, the loss and its broadcast, and its own
// layer's noise handling — and the tensors it finally reads trace back to exactly its layer's
// stored input, its noise or sign bits, and the loss vector (a batchnorm layer's also its own clean
// statistics). BP, by contrast, must fail this walk.
import { describe, expect, test } from 'vitest';
import { stepGraph } from '../../src/compiler/compile.js';
import { resolveCompileOptions } from '../../src/compiler/compile-options.js';
import { gradProductInputs, nodeAncestors, producerIndex } from '../../src/ir/graph.js';
import type { Graph, IrNode } from '../../src/ir/types.js';
import { buildModel } from '../../src/models/registry.js';

/** Problems with one gradient product's ancestry; empty when it is independent. */
function dependenceProblems(graph: Graph, gp: IrNode): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const problems: string[] = [];
  for (const id of nodeAncestors(graph, gp.id)) {
    const a = byId.get(id)!;
    if (a.kind === 'GradProduct' || a.phase === 'backward' || a.phase === 'update')
      problems.push(`${gp.id} depends on ${a.id} (${a.kind}, ${a.phase})`);
    if (a.phase === 'gradient' && a.layer !== gp.layer)
      problems.push(`${gp.id} depends on gradient work ${a.id} of layer ${a.layer}`);
  }
  // The leaves it reads, looking through its own layer's post-loss helpers (copy reduction, regeneration, late sign pack).
  const producers = producerIndex(graph);
  const leaves = new Set<string>();
  const walk = (tensor: string): void => {
    const p = producers.get(tensor);
    if (p && p.phase === 'gradient' && p.layer === gp.layer && p.inputs.length > 0) p.inputs.forEach(walk);
    else if (p?.kind === 'LossBroadcast') leaves.add('loss');
    else leaves.add(graph.tensors[tensor]!.cls === 'loss' ? 'loss' : tensor);
  };
  gp.inputs.forEach(walk);
  // A batchnorm layer's product also reads the statistics it normalised with: its own layer's clean-pass ones.
  const stats = gp.kind === 'GradProduct' ? gradProductInputs(gp).stats : undefined;
  if (stats !== undefined && graph.tensors[stats]!.layer !== gp.layer)
    problems.push(`${gp.id} reads statistics ${stats} of another layer`);
  const stored = [...leaves].filter(
    (t) => t !== 'loss' && t !== stats && graph.tensors[t]!.cls !== 'noise' && graph.tensors[t]!.cls !== 'sign-bits',
  );
  if (stored.length !== 1) problems.push(`${gp.id} reads stored inputs ${stored.join(', ')}`);
  if (!leaves.has('loss')) problems.push(`${gp.id} does not read the loss vector`);
  const noise = [...leaves].filter(
    (t) => t !== 'loss' && (graph.tensors[t]!.cls === 'noise' || graph.tensors[t]!.cls === 'sign-bits'),
  );
  if (noise.length !== 1 || graph.tensors[noise[0]!]!.layer !== gp.layer)
    problems.push(`${gp.id} reads noise ${noise.join(', ')}`);
  return problems;
}

const gradProducts = (g: Graph) => g.nodes.filter((n) => n.kind === 'GradProduct');
const graphOf = (model: string, method: 'bp' | 'lr' | 'alr', extra: object = {}) =>
  stepGraph(
    buildModel(model),
    resolveCompileOptions({ method, copies: 4, batch: 2, schedule: 'sequential', ...extra }),
  );

describe.each(['mlp', 'cnn', 'resnet5', 'resnet9'])('%s', (model) => {
  test.each([
    { method: 'lr' as const },
    { method: 'alr' as const },
    { method: 'alr' as const, noiseStorage: 'regenerate' as const },
    { method: 'alr' as const, noiseStorage: 'float' as const },
    { method: 'lr' as const, layerwise: true },
  ])('$method %o: each gradient product depends only on its input, its noise and the loss', (extra) => {
    const g = graphOf(model, extra.method, extra);
    expect(gradProducts(g).length).toBeGreaterThan(1);
    for (const gp of gradProducts(g)) expect(dependenceProblems(g, gp)).toEqual([]);
  });
});

test('the check can fail: BP gradient products depend on the backward chain', () => {
  const g = graphOf('mlp', 'bp');
  const problems = gradProducts(g).flatMap((gp) => dependenceProblems(g, gp));
  expect(problems.some((p) => /depends on .*backward/.test(p))).toBe(true);
});

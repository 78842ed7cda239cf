// Whole-machine mapping: pipelined stages own runs of cores covering the chip and all-reduce their
// partial gradients; sequential spreads every op over all cores behind a barrier (gradient products
// over their outputs, so no all-reduce), data-parallel shards wait only for their own rows; every
// row-carrying tensor (activation gradients included) is accessed once per producer and once per
// reader, not once per shard (except the error signal an output-split gradient product reads whole).
import { expect, test } from 'vitest';
import { gridOf } from '../../src/compiler/build-tasks.js';
import { pipelineGradOutputSplit, pipelineGridOf } from '../../src/compiler/shard-split.js';
import { workOf } from '../../src/ir/work-of.js';
import { compile } from '../../src/compiler/compile.js';
import { loadHwModel } from '../../src/hw/load.js';
import { tensorBytes } from '../../src/ir/tensor-bytes.js';
import { buildModel } from '../../src/models/registry.js';
import { quadCoreHw } from '../fixtures/compiler-hw.js';

const mc16 = loadHwModel('multicore-16');

test('ResNet-9 layer-pipelined on multicore-16: stages cover every core, multi-core stages all-reduce over their cores', () => {
  const step = compile(buildModel('resnet9'), mc16, {
    method: 'alr',
    copies: 64,
    batch: 32,
    schedule: 'layer-pipelined',
    microBatches: 16,
    staleness: 1,
  });
  expect(step.stages.flatMap((s) => s.cores).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, c) => c));
  const busyCores = new Set(step.tasks.filter((t) => t.unit.unit === 'array').map((t) => t.unit.core));
  expect(busyCores.size).toBe(16);
  const wide = step.stages.filter((s) => s.cores.length > 1);
  expect(wide.length).toBeGreaterThan(0);
  const allReduces = step.graph.nodes.filter((n) => n.kind === 'AllReduce');
  for (const n of allReduces) {
    const owner = step.tasks.find((t) => t.node === n.id)!.unit.core;
    const stage = step.stages.find((s) => s.cores.includes(owner))!;
    expect(n.kind === 'AllReduce' && n.participants).toBe(stage.cores.length);
    // The update's shards wait for the all-reduce (in the same body).
    const update = step.tasks.filter((t) => t.node.endsWith('.update') && t.deps.some((d) => d.startsWith(n.id)));
    expect(update.length).toBe(stage.cores.length);
  }
  // Gradient products whose short row shards split their output columns instead leave no partials to sum.
  const coresOfLayer = (n: (typeof step.graph.nodes)[number]) =>
    step.stages.find((s) => s.layers.includes(n.layer ?? ''))?.cores.length ?? 1;
  const partials = step.graph.nodes.filter(
    (n) =>
      n.kind === 'GradProduct' &&
      coresOfLayer(n) > 1 &&
      !pipelineGradOutputSplit(mc16, n, workOf(n, step.graph.meta.floatBytes), coresOfLayer(n), 16),
  );
  expect(partials.length).toBeLessThan(step.graph.nodes.filter((n) => n.kind === 'GradProduct').length);
  expect(allReduces.length).toBe(partials.length);
});

test('sequential spreads every op over all cores behind a barrier; data-parallel shards wait only for their own rows', () => {
  const options = { method: 'bp' as const, copies: 1, batch: 8 };
  const seq = compile(buildModel('cnn'), quadCoreHw, { ...options, schedule: 'bp-sequential' });
  const dp = compile(buildModel('cnn'), quadCoreHw, { ...options, schedule: 'data-parallel' });
  for (const step of [seq, dp])
    expect(new Set(step.tasks.filter((t) => t.unit.unit === 'array').map((t) => t.unit.core))).toEqual(
      new Set([0, 1, 2, 3]),
    );
  const conv = (step: typeof seq) => step.tasks.find((t) => t.node.endsWith('.dx') && t.shard?.index === 1)!;
  expect(conv(seq).deps.filter((d) => /\/\d$/.test(d)).length).toBeGreaterThan(
    conv(dp).deps.filter((d) => /\/\d$/.test(d)).length,
  );
  for (const d of conv(dp).deps) if (/\/\d$/.test(d) && !d.includes('allreduce')) expect(d.endsWith('/1')).toBe(true);
  // sequential splits gradient products over their outputs: no partial gradients, no all-reduce.
  expect(seq.graph.nodes.some((n) => n.kind === 'AllReduce')).toBe(false);
  expect(dp.graph.nodes.some((n) => n.kind === 'AllReduce' && n.participants === 4)).toBe(true);
});

test.each(['data-parallel', 'bp-sequential', '1f1b'] as const)(
  'BP %s: each activation and activation gradient is accessed once per writer and reader, not once per shard',
  (schedule) => {
    const step = compile(buildModel('cnn'), quadCoreHw, {
      method: 'bp',
      copies: 1,
      batch: 8,
      schedule,
      ...(schedule === '1f1b' ? { microBatches: 4 } : {}),
    });
    const accessed = new Map<string, number>();
    for (const t of step.tasks)
      for (const a of [...t.reads, ...t.writes]) accessed.set(a.tensor, (accessed.get(a.tensor) ?? 0) + a.bytes);
    const producers = new Set(step.graph.nodes.flatMap((n) => n.outputs));
    let checked = 0;
    for (const t of Object.values(step.graph.tensors)) {
      const rowGradient = t.cls === 'gradient' && t.shape.length > 1;
      if (!(rowGradient || t.cls === 'activation') || !producers.has(t.id)) continue;
      // Under bp-sequential a gradient product is split over its outputs: each of the 4 shards reads the error signal whole.
      // A GEMM on a gm x gn grid of its output reads its row operand once per column block.
      // Under 1f1b a GEMM whose short row shards cost more cycles than blocks of a grid is split on the grid (pipelineGridOf).
      const shards = (n: (typeof step.graph.nodes)[number]) =>
        step.tasks.find((q) => q.node === n.id)?.shard?.count ?? 1;
      const grid = (n: (typeof step.graph.nodes)[number]) =>
        schedule === 'bp-sequential'
          ? gridOf({ barrier: true, graph: step.graph, hw: quadCoreHw }, n, 4)
          : schedule === '1f1b'
            ? pipelineGridOf(quadCoreHw, n, workOf(n, step.graph.meta.floatBytes), shards(n), 4)
            : undefined;
      // So does one under 1f1b whose row shards are short (pipelineGradOutputSplit).
      const byOutput = (n: (typeof step.graph.nodes)[number]) =>
        schedule === 'bp-sequential' ||
        (schedule === '1f1b' &&
          pipelineGradOutputSplit(quadCoreHw, n, workOf(n, step.graph.meta.floatBytes), shards(n), 4));
      const wholeReads = (n: (typeof step.graph.nodes)[number]) =>
        grid(n)?.gn ?? (byOutput(n) && n.kind === 'GradProduct' && n.inputs[0] !== t.id ? shards(n) : 1);
      const touches =
        step.graph.nodes.filter((n) => n.inputs.includes(t.id)).reduce((s, n) => s + wholeReads(n), 0) + 1;
      const bytes = tensorBytes(t, step.graph.meta.floatBytes);
      const got = accessed.get(t.id) ?? 0;
      // Shards round their share up to whole bytes: at most one byte per shard and touch over.
      expect(got).toBeGreaterThanOrEqual(bytes * touches);
      expect(got).toBeLessThanOrEqual(bytes * touches + 64 * touches);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  },
);

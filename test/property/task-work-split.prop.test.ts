// Property: splitting a step over micro-batches and cores neither adds nor loses work. For every
// node the tasks' MACs (and vector elements) sum to the node's own, exactly, whatever the shapes,
// the core count, the schedule and the number of micro-batches: no task computes a row beyond the
// real ones (a micro-batch with fewer rows than cores leaves some shards empty), and the blocks of a
// GEMM split on a grid of its output tile it exactly.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { schedulesFor } from '../../src/compiler/methods/registry.js';
import { isPipelined } from '../../src/compiler/schedules/registry.js';
import { workMacs } from '../../src/hw/timing/unit-timing.js';
import type { HwModel } from '../../src/hw/types.js';
import { workOf } from '../../src/ir/work-of.js';
import type { Work } from '../../src/ir/types.js';
import { cnn, mlp } from '../../src/models/builders.js';
import type { Network } from '../../src/models/layers.js';
import { quadCoreHw } from '../fixtures/compiler-hw.js';

const elements = (w: Work): number => (w.kind === 'vector' ? w.elements : 0);

function chip(count: number, dataflow: 'ws' | 'os'): HwModel {
  const array = { ...quadCoreHw.cores.systolic[0]!, dataflow };
  return { ...quadCoreHw, cores: { ...quadCoreHw.cores, count, systolic: [array] } };
}

/** Per node: [graph MACs, graph elements] and [tasks' MACs, tasks' elements] over one iteration. */
function workSums(net: Network, hw: HwModel, options: Parameters<typeof compile>[2]) {
  const step = compile(net, hw, options);
  const tasks = new Map<string, [number, number]>();
  for (const t of step.tasks) {
    const [m, e] = tasks.get(t.node) ?? [0, 0];
    tasks.set(t.node, [m + workMacs(t.work), e + elements(t.work)]);
  }
  const rows = step.graph.nodes
    .filter((n) => n.kind !== 'AllReduce')
    .map((n) => {
      const w = workOf(n, step.graph.meta.floatBytes);
      return { node: n.id, graph: [workMacs(w), elements(w)], tasks: tasks.get(n.id) ?? [0, 0] };
    });
  return { rows, tasks: step.tasks };
}

const layout = fc.record({
  method: fc.constantFrom('bp' as const, 'alr' as const),
  scheduleIndex: fc.nat(),
  cores: fc.integer({ min: 1, max: 12 }),
  batch: fc.integer({ min: 1, max: 12 }),
  micro: fc.integer({ min: 1, max: 12 }),
  dataflow: fc.constantFrom('ws' as const, 'os' as const),
});

function optionsOf(l: { method: 'bp' | 'alr'; scheduleIndex: number; batch: number; micro: number }) {
  const schedules = schedulesFor(l.method);
  const schedule = schedules[l.scheduleIndex % schedules.length]!;
  const microBatches = isPipelined(schedule) ? Math.min(l.micro, l.batch) : 1;
  return { method: l.method, copies: 2, batch: l.batch, schedule, microBatches };
}

test.prop(
  { widths: fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 2, maxLength: 5 }), layout },
  { numRuns: 80 },
)('MLP: the tasks of every node do exactly its MACs and elements', ({ widths, layout: l }) => {
  const { rows } = workSums(mlp(widths), chip(l.cores, l.dataflow), optionsOf(l));
  for (const r of rows) expect(r.tasks, r.node).toEqual(r.graph);
});

test.prop({ size: fc.integer({ min: 4, max: 10 }), classes: fc.integer({ min: 2, max: 12 }), layout }, { numRuns: 30 })(
  'CNN: the tasks of every node do exactly its MACs and elements',
  ({ size, classes, layout: l }) => {
    const net = cnn({ inputShape: [2, size, size], classes, batchNorm: true });
    const { rows } = workSums(net, chip(l.cores, l.dataflow), optionsOf(l));
    for (const r of rows) expect(r.tasks, r.node).toEqual(r.graph);
  },
);

test('a micro-batch with fewer rows than cores leaves shards empty instead of computing rows that do not exist', () => {
  // Batch 8 in 8 micro-batches: 1 row per micro-batch and node over a stage's several cores.
  const hw = chip(8, 'ws');
  const { rows, tasks } = workSums(mlp([6, 5, 3]), hw, {
    method: 'bp',
    copies: 1,
    batch: 8,
    schedule: 'gpipe',
    microBatches: 8,
    stages: 2,
  });
  for (const r of rows) expect(r.tasks, r.node).toEqual(r.graph);
  const empty = tasks.filter((t) => t.work.kind === 'gemm' && workMacs(t.work) === 0);
  expect(empty.length).toBeGreaterThan(0);
});

// Micro-batches are structure of the compiled step graph, modelled once (src/ir/step-instances.ts): the
// printed gpipe step with M=4 shows its 4 micro-batches (row slices of the batch) and the accumulation of
// each weight gradient over them; the simulator's tasks are exactly the graph's node instances (each
// per-micro-batch node 4 times, each per-step node once), and the runtime has no batch-splitting loop of
// its own: it walks the same instances.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileJob, type SimJob } from '../../sim/job.js';
import { printGraph } from '../../src/ir/print-graph.js';
import { microBatchesOf, stepInstances } from '../../src/ir/step-instances.js';

const gpipe: SimJob = {
  model: 'mlp',
  method: 'bp',
  copies: 1,
  batch: 16,
  schedule: 'gpipe',
  hw: 'multicore-16',
  iterations: 1,
  microBatches: 4,
};

describe('micro-batches in the step graph', () => {
  test('gpipe M=4: 4 micro-batch lines, each weight gradient accumulates 4 instances', async () => {
    const step = await compileJob(gpipe);
    const text = printGraph(step.graph);
    expect(text.split('\n').filter((l) => l.startsWith('micro '))).toEqual([
      'micro 0 rows=0..3',
      'micro 1 rows=4..7',
      'micro 2 rows=8..11',
      'micro 3 rows=12..15',
    ]);
    const products = step.graph.nodes.filter((n) => n.kind === 'GradProduct');
    expect(products.length).toBe(step.graph.params.length);
    for (const p of products) expect(text).toMatch(new RegExp(`^node ${p.id} GradProduct .*accumulate=4 `, 'm'));
    const m1 = printGraph((await compileJob({ ...gpipe, microBatches: 1 })).graph);
    expect(m1).not.toMatch(/^micro |accumulate=/m);
  });

  test('uneven micro-batches: rows split at floor(i * N / M)', () => {
    expect(microBatchesOf({ batch: 10, microBatches: 4 }).map((m) => [m.firstSample, m.samples])).toEqual([
      [0, 2],
      [2, 3],
      [5, 2],
      [7, 3],
    ]);
    expect(microBatchesOf({ batch: 2, microBatches: 4 }).length).toBe(2);
  });

  test("the simulator's tasks are the graph's node instances, with the instances' dependencies", async () => {
    for (const job of [gpipe, { ...gpipe, method: 'alr' as const, copies: 4, schedule: 'layer-pipelined' as const }]) {
      const step = await compileJob({ ...job, staleness: 0 });
      const instances = stepInstances(step.graph);
      const key = (node: string, micro: number | undefined): string => `${node}#${micro ?? '-'}`;
      const fromInstances = new Set(instances.map((i) => key(i.node.id, i.micro)));
      const fromTasks = new Set(
        step.tasks.map((t) => key(t.node, /#(\d+)/.exec(t.id.slice(t.node.length)) ? t.microBatch : undefined)),
      );
      expect(fromTasks).toEqual(fromInstances);
      for (const i of instances) {
        const expected = i.node.perStep ? 1 : 4;
        expect(instances.filter((j) => j.node === i.node).length).toBe(expected);
      }
    }
  });
});

describe('the runtime reads the micro-batches from the graph', () => {
  const dir = join(import.meta.dirname, '../../src/train');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  test('no splitBatch and no micro-batch arithmetic of its own in src/train', () => {
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/splitBatch/);
      expect(text, f).not.toMatch(/Math\.floor\(\(\w+ \* \w+(\.samples)?\) \/ \w+\)/);
    }
    const runtime = readFileSync(join(dir, 'runtime/runtime.ts'), 'utf8');
    expect(runtime).toMatch(/stepInstances\(/);
    expect(runtime).toMatch(/microBatchesOf\(/);
  });
});

// Pipelined schedules split a GEMM whose row shards are short on a grid of its output instead
// (src/compiler/shard-split.ts pipelineGridOf): ResNet-9's res3 convolution on multicore-16 (2
// stages, stage 1 on 9 cores, 4 x 4 pixels, K = 4608, N = 512) at 16 micro-batches has 64 rows a
// micro-batch, 7 or 8 per core as row shards; its blocks on a 1 x 9 grid take all 64 rows on a
// ninth of the columns, fewer cycles than a row shard. At 1 micro-batch (113 or 114 rows a shard,
// more than the array's 32 rows) the row split stays.
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { loadHwModel } from '../../src/hw/load.js';
import { computeCycles } from '../../src/hw/timing/unit-timing.js';
import { buildModel } from '../../src/models/registry.js';

const hw = loadHwModel('multicore-16');
const resnet9 = buildModel('resnet9', {});

function res3Tasks(microBatches: number) {
  const step = compile(resnet9, hw, { method: 'bp', copies: 1, batch: 64, schedule: 'gpipe', stages: 2, microBatches });
  const node = step.graph.nodes.find((n) => n.id === 'res3.conv1.conv')!;
  return { node, tasks: step.tasks.filter((t) => t.node === node.id && t.microBatch === 0) };
}

describe('pipelined GEMMs with short row shards split on a grid of their output', () => {
  test('res3 at 16 micro-batches: 9 column blocks of all 64 rows, each faster than a row shard of 8', () => {
    const { node, tasks } = res3Tasks(16);
    expect(node.kind === 'Conv2d' || node.kind === 'MatMul').toBe(true);
    expect(tasks).toHaveLength(9);
    const cycles = tasks.map((t) => computeCycles(hw, t.unit, t.work));
    for (const t of tasks) expect(t.work).toMatchObject({ kind: 'gemm', m: 64, k: 4608 });
    expect(tasks.reduce((s, t) => s + (t.work.kind === 'gemm' ? t.work.n : 0), 0)).toBe(512);
    const rowShard = computeCycles(hw, tasks[0]!.unit, { kind: 'gemm', m: 8, n: 512, k: 4608, groups: 1 });
    expect(Math.max(...cycles)).toBeLessThan(rowShard / 4);
  });

  test('res3 at 1 micro-batch: row shards of 113 or 114 rows, every column', () => {
    const { tasks } = res3Tasks(1);
    expect(tasks).toHaveLength(9);
    for (const t of tasks) expect(t.work).toMatchObject({ kind: 'gemm', n: 512, k: 4608 });
    const rows = tasks.map((t) => (t.work.kind === 'gemm' ? t.work.m : 0));
    for (const m of rows) expect([113, 114]).toContain(m);
    expect(rows.reduce((s, m) => s + m, 0)).toBe(1024);
  });
});

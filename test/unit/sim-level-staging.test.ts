// Staging through the levels (src/compiler/stage-traffic.ts, sim/units/memory.ts): on one core with a
// 64 KiB double-buffered L1, a 16 MiB shared L2 and DRAM, every access moves level by level, a
// matrix-product operand the L1 cannot hold whole crosses into it once per output-stationary tile,
// and the report gives the bytes per pair of adjacent levels and where each tensor lives and why.
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { outputTile, stagedBytes, tileBudgetWords } from '../../src/compiler/stage-traffic.js';
import { loadHwModel } from '../../src/hw/load.js';
import { buildModel } from '../../src/models/registry.js';
import { summaryTable } from '../../sim/job.js';
import { simulate } from '../../sim/simulate.js';
import { MemorySystem } from '../../sim/units/memory.js';
import { buildPageData } from '../../visualizer/page-data.js';

const hw = loadHwModel(resolve(import.meta.dirname, '../fixtures/hw/three-level.json'));
const mlp = (batch: number) =>
  compile(buildModel('mlp', { hidden: [1024, 1024] }), hw, {
    method: 'bp',
    copies: 1,
    batch,
    schedule: 'bp-sequential',
  });
const pair = (r: ReturnType<typeof simulate>, from: string, to: string) =>
  r.trafficByLevelPair!.find((p) => p.from === from && p.to === to);

describe('output-stationary tiles sized to the levels', () => {
  test('the L1 budget is half its 64 KiB (double-buffered) in 2-byte words; the square tile holds T^2 + 2T words', () => {
    expect(tileBudgetWords(hw, 0)).toBe(16384);
    // floor(sqrt(16385)) - 1 = 127: 127^2 + 2 x 127 = 16383 <= 16384; the rest of the budget widens tn when m is short.
    expect(outputTile(256, 1024, 16384)).toEqual({ tm: 127, tn: 127 });
    expect(outputTile(16, 1024, 16384)).toEqual({ tm: 16, tn: 962 });
    // A chip-wide L2 is shared: a boundary into it moves each byte once.
    const gemm = { kind: 'gemm' as const, m: 256, n: 1024, k: 784, groups: 1 };
    expect(stagedBytes(hw, gemm, 'a', 1000, 2)).toEqual([9000, 1000]);
    expect(stagedBytes(hw, gemm, 'b', 1000, 2)).toEqual([3000, 1000]);
    expect(stagedBytes(hw, { kind: 'vector', elements: 10, opsPerElement: 1 }, 'once', 1000, 2)).toEqual([1000, 1000]);
  });

  test('a GEMM too big for the L1 is tiled: A crosses ceil(n / tn) times, B ceil(m / tm) times, the output once', () => {
    const step = mlp(256);
    const task = step.tasks.find((t) => t.id === 'fc1.mm')!;
    expect(task.work).toMatchObject({ kind: 'gemm', m: 256, n: 1024, k: 784 });
    const pairs = new MemorySystem(step).taskDemand(task, 0).pairs;
    const x = 256 * 784 * 2; // the step input, in DRAM
    const w = 785 * 1024 * 2; // fc1's weights and bias row, in the L2
    expect(pairs).toEqual([
      { outer: 2, inner: 1, bytes: x, cls: 'input', write: false },
      { outer: 1, inner: 0, bytes: x * Math.ceil(1024 / 127), cls: 'input', write: false },
      { outer: 1, inner: 0, bytes: w * Math.ceil(256 / 127), cls: 'weight', write: false },
      { outer: 1, inner: 0, bytes: 256 * 1024 * 2, cls: 'activation', write: true },
    ]);
  });
});

test('the cores of one GEMM grid fetch a shared operand into the chip-wide L2 once between them', () => {
  const quad = {
    ...hw,
    cores: { ...hw.cores, count: 4 },
    noc: { topology: 'crossbar' as const, linkBandwidthBytesPerCycle: 64, hopLatencyCycles: 1 },
  };
  const step = compile(buildModel('mlp', { hidden: [1024, 1024] }), quad, {
    method: 'bp',
    copies: 1,
    batch: 256,
    schedule: 'bp-sequential',
  });
  const mem = new MemorySystem(step);
  const tasks = step.tasks.filter((t) => t.node === 'fc1.mm');
  expect(tasks).toHaveLength(4);
  const x = 256 * 784 * 2;
  let intoL2 = 0;
  for (const task of tasks) {
    const read = task.reads.filter((a) => a.tensor === 'x').reduce((s, a) => s + a.bytes, 0);
    // A 1 x 4 grid of the output (256 x 256 blocks): every core reads all of x...
    expect(read).toBe(x);
    const pairs = new MemorySystem(step).taskDemand(task, 0).pairs.filter((p) => p.cls === 'input');
    // ...tiled into its L1 (ceil(256 / 127) = 3 column tiles), but DRAM -> L2 moves a quarter of it per core.
    expect(pairs.filter((p) => p.inner === 0).reduce((s, p) => s + p.bytes, 0)).toBe(3 * x);
    intoL2 += mem
      .taskDemand(task, 0)
      .pairs.filter((p) => p.cls === 'input' && p.inner === 1)
      .reduce((s, p) => s + p.bytes, 0);
  }
  expect(intoL2).toBe(x);
});

describe("the issue's 3-level MLP case (batch 16)", () => {
  const step = mlp(16);
  const iterations = 3;
  const r = simulate(step, { iterations, timelineLimit: 0 });

  test('bytes per pair: DRAM -> L2 carries only the step input and labels; the weights cross L2 -> L1 per reader', () => {
    const x = 16 * 784 * 2;
    // x is read by fc1's forward product and its weight-gradient product; the loss reads 16 fp16 labels.
    expect(pair(r, 'dram', 'l2')).toEqual({
      from: 'dram',
      to: 'l2',
      bytesPerIteration: 2 * x + 32,
      bytesByClass: { input: 2 * x + 32 },
    });
    expect(step.placements.find((p) => p.tensor === 'fc3.params')!.level).toBe('l1');
    const fc1 = 785 * 1024 * 2;
    const fc2 = 1025 * 1024 * 2;
    // fc1: forward product and update; fc2: forward, input-gradient product and update; each bias add reads its 1024 fp16 biases.
    // With 16 rows the tile covers them (tm = 16), so each weight read crosses once.
    expect(pair(r, 'l2', 'l1')!.bytesByClass.weight).toBe(2 * fc1 + 3 * fc2 + 2 * 1024 * 2);
    expect(pair(r, 'l2', 'dram')).toBeUndefined();
    // Weights that fit the L2 stay there: no DRAM weight bytes at all per iteration (under 10% of the weight bytes).
    const dramWeights = r.traffic.find((t) => t.where === 'dram')?.bytesByClass.weight ?? 0;
    expect(dramWeights / iterations).toBeLessThan(0.1 * (fc1 + fc2));
  });

  test('the pairs add up to the per-level traffic the levels serve', () => {
    const served = (level: string) => {
      const t = r.traffic.find((x) => x.where === level)!;
      return (t.bytesRead + t.bytesWritten) / iterations;
    };
    const out = (level: string) =>
      r
        .trafficByLevelPair!.filter((p) => p.from === level && p.to !== 'dram')
        .reduce((s, p) => s + p.bytesPerIteration, 0);
    const into = (level: string) =>
      r
        .trafficByLevelPair!.filter((p) => p.to === level && p.from !== 'dram')
        .reduce((s, p) => s + p.bytesPerIteration, 0);
    // The L2 serves its reads into the L1 and takes the L1's writes; DRAM serves what crosses into the L2.
    expect(served('l2')).toBeCloseTo(out('l2') + into('l2'), 6);
    expect(served('dram')).toBe(pair(r, 'dram', 'l2')!.bytesPerIteration);
  });

  test('the placement table says where each tensor lives and why; text and HTML show both', () => {
    const row = (tensor: string) => r.placements!.find((p) => p.tensor === tensor)!;
    expect(row('x')).toMatchObject({ level: 'dram', reason: 'step input or labels: stays off-chip' });
    expect(row('fc3.params')).toMatchObject({ level: 'l1', reason: 'fits' });
    expect(row('fc2.params').level).toBe('l2');
    expect(row('fc2.params').reason).toMatch(/^l1 full \(.+ live \+ 2\.0 MiB > 64 KiB\); fits l2$/);
    const text = summaryTable(r);
    expect(text).toMatch(/traffic dram -> l2 +49\.0 KiB per iteration \(input 49\.0 KiB\)/);
    expect(text).toContain('traffic l2 -> l1');
    expect(text).toMatch(/placed +l2: \d+ tensors/);
    const page = buildPageData({ sim: r });
    expect(page.levelPairs!.rows.map((x) => `${x[0]}>${x[1]}`)).toEqual(
      r.trafficByLevelPair!.map((p) => `${p.from}>${p.to}`),
    );
    expect(page.placements!.rows.find((x) => x[0] === 'fc2.params')![5]).toBe(row('fc2.params').reason);
  });
});

describe('room for staged blocks on a chip-wide L2 (1 MiB here)', () => {
  const small = { ...hw, memory: hw.memory.map((m) => (m.name === 'l2' ? { ...m, capacityBytes: 1 << 20 } : m)) };
  const step = compile(buildModel('mlp', { hidden: [1024, 1024] }), small, {
    method: 'bp',
    copies: 1,
    batch: 256,
    schedule: 'bp-sequential',
  });
  const r = simulate(step, { iterations: 3, timelineLimit: 0 });
  const l2 = r.memory.find((m) => m.level === 'l2')!;
  const mem = new MemorySystem(step);
  const x = 256 * 784 * 2; // the step input, in DRAM
  const w = 785 * 1024 * 2; // fc1's weights and bias row, in DRAM (bigger than the L2)

  test('residents take at most half the L2; a block that fits is held while its task runs and counts in the peak', () => {
    expect(step.placements.find((p) => p.tensor === 'x')!.level).toBe('dram');
    expect(step.placements.find((p) => p.tensor === 'fc1.params')!.level).toBe('dram');
    const resident = step.placements.filter((p) => p.level === 'l2').map((p) => p.bytes);
    expect(Math.max(...resident)).toBeLessThanOrEqual(1 << 19);
    // The weight-gradient product dW1 = D^T x re-reads x per tile of the L1: the L2 holds all of it.
    const gradprod = step.tasks.findIndex((t) => t.id === 'fc1.gradprod');
    expect(mem.staged.held).toContainEqual({ task: gradprod, level: 1, cls: 'input', bytes: x });
    expect(l2.peakBytesByClass.input).toBe(x);
    expect(l2.peakBytes).toBeLessThanOrEqual(l2.capacityBytes);
    expect(l2.verdict).toBe('fits');
  });

  test('blocks with no room tile at the L2 in the room left, and the extra crossings are counted', () => {
    // fc1's product writes fc1.z (512 KiB) into the L2, leaving 512 KiB = 262,144 words: x (401 KB) and w (1.6 MB) do not fit.
    const fc1 = step.tasks.findIndex((t) => t.id === 'fc1.mm');
    const held = mem.staged.held.filter((b) => b.task === fc1).reduce((s, b) => s + b.bytes, 0);
    expect(held).toBeLessThanOrEqual(1 << 19);
    // One 256 x 1025 product (n = w / (784 x 2)) tiled in 262,144 words: tm = 256, tn = floor((262144 - 256) / 257) = 1019,
    // so x crosses DRAM -> L2 ceil(1025 / 1019) = 2 times and w once; into the L1 (127 x 127 tiles) 9 and 3 times as before.
    const pairs = mem.taskDemand(step.tasks[fc1]!, 0).pairs.filter((p) => !p.write);
    expect(pairs).toEqual([
      { outer: 2, inner: 1, bytes: 2 * x, cls: 'input', write: false },
      { outer: 1, inner: 0, bytes: 9 * x, cls: 'input', write: false },
      { outer: 2, inner: 1, bytes: w, cls: 'weight', write: false },
      { outer: 1, inner: 0, bytes: 3 * w, cls: 'weight', write: false },
    ]);
    expect(l2.peakBytes).toBeLessThanOrEqual(l2.capacityBytes);
  });
});

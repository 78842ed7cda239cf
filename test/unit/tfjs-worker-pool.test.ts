// The tfjs-wasm worker pool (kernels/tfjs/): a split call equals the unsplit kernel bit for bit for
// every routed kernel (matmul family, conv2d, noise-inject(-signs)), on odd row counts, fewer rows than threads and size-1 dims, whether a chunk
// ran on a worker or on the main thread; the pool's workers end with dispose, never keep the
// process alive, and a worker that crashes or throws fails the call with KernelWorkerError.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KernelTable } from '../../kernels/names.js';
import { loadTfjs } from '../../kernels/tfjs/tfjs-runtime.js';
import { rowBlocks } from '../../kernels/tfjs/row-blocks.js';
import { type BlockTask, type Region, runBlock, view } from '../../kernels/tfjs/tfjs-blocks.js';
import { pooledTable, type PooledTable, tfjsSplit } from '../../kernels/tfjs/tfjs-split.js';
import { tfjsTable } from '../../kernels/tfjs/tfjs-table.js';
import { hostIo } from '../../kernels/tfjs/tfjs-io.js';
import { KernelWorkerError, TfjsWorkerPool, tfjsThreads } from '../../kernels/tfjs/tfjs-worker-pool.js';
import { ConfigError } from '../../src/errors.js';

const data = (n: number, seed: number): Float32Array => {
  let s = seed;
  return Float32Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
};
/** Bit-for-bit equality (Object.is: distinguishes -0 and compares NaN equal). */
const expectSame = (got: ArrayLike<number>, want: ArrayLike<number>): void => {
  expect(got.length).toBe(want.length);
  const firstDiff = Array.from(want).findIndex((v, i) => !Object.is(v, got[i]));
  expect(firstDiff).toBe(-1);
};

let tf: Awaited<ReturnType<typeof loadTfjs>>;
let base: KernelTable;
let pool: TfjsWorkerPool;
let split: PooledTable;

beforeAll(async () => {
  tf = await loadTfjs();
  // Convolutions on TF.js (as with ALRFLOW_ORT=0): the path that splits them by images.
  base = tfjsTable(tf, hostIo(tf), null);
  // 3 threads even on a 2-core machine: more threads than some calls have rows. Threshold 0: every call splits.
  pool = new TfjsWorkerPool({ threads: 3 });
  split = pooledTable(tf, base, pool, { minFlop: 0, minFlopPerValue: 0, minDraws: 0, minRowsPerThread: 0 });
});
afterAll(async () => split.dispose());

describe('split calls equal the unsplit kernel bit for bit', () => {
  const shapes: [number, number, number][] = [
    [37, 29, 13],
    [2, 5, 7],
    [1, 9, 4],
    [5, 1, 6],
    [7, 8, 1],
    [3, 3, 3],
    [129, 64, 33],
  ];
  test.each(['matmul', 'matmul-at-b', 'matmul-a-bt'] as const)('%s', async (variant) => {
    for (const [m, k, n] of shapes) {
      const args = { a: data(m * k, m), b: data(k * n, n), m, k, n };
      expectSame(await split.table[variant](args), await base[variant](args));
      const a64 = { ...args, a: Float64Array.from(args.a, (v) => v / 3), b: Float64Array.from(args.b, (v) => v * 7) };
      expectSame(await split.table[variant](a64), await base[variant](a64));
    }
  });

  test('conv2d (split by images)', async () => {
    for (const batch of [5, 2, 1]) {
      const dims = { batch, inChannels: 3, height: 9, width: 7, outChannels: 4, kernelSize: 3, stride: 2, padding: 1 };
      const args = { x: data(batch * 3 * 63, 5), weights: data(4 * 3 * 9, 6), dims };
      expectSame(await split.table.conv2d(args), await base.conv2d(args));
    }
  });

  test('noise-inject(-signs): rows split at whole sign words, float32 and float64 z', async () => {
    for (const [rows, channels, spatial] of [
      [100, 10, 1],
      [7, 3, 5],
      [2, 64, 1],
      [1, 5, 1],
      [33, 1, 1],
    ] as const) {
      const n = rows * channels * spatial;
      for (const z of [data(n, 3), Float64Array.from(data(n, 4), (v) => v * 1e-3)]) {
        const args = {
          z,
          sigma: Float64Array.from({ length: channels }, (_, c) => 0.1 + c / 7),
          rows,
          channels,
          spatial,
          seed: 9,
          step: 4,
          layer: 2,
          rowOffset: 11,
        };
        expectSame(await split.table['noise-inject'](args), await base['noise-inject'](args));
        const [got, want] = [await split.table['noise-inject-signs'](args), await base['noise-inject-signs'](args)];
        expectSame(got.out, want.out);
        expectSame(got.signs, want.signs);
      }
    }
  });

  test('the workers computed some of those chunks (the worker path was exercised)', () => {
    expect(pool.chunks.workers).toBeGreaterThan(0);
    expect(pool.chunks.main).toBeGreaterThan(0);
  });

  test('the worker-side code computes every chunk of a call from the shared buffer alone', () => {
    // runBlock in this thread, as a worker runs it: same buffer protocol, all chunks, no main-thread chunk.
    const [m, k, n] = [23, 11, 6];
    const a = data(m * k, 1);
    const b = data(k * n, 2);
    const buffer = new SharedArrayBuffer((m * k + k * n + m * n) * 4);
    const regions: Record<string, Region> = {
      a: { offset: 0, length: m * k, type: 'f32' },
      b: { offset: m * k * 4, length: k * n, type: 'f32' },
      out: { offset: (m * k + k * n) * 4, length: m * n, type: 'f32' },
    };
    view(buffer, regions['a']!).set(a);
    view(buffer, regions['b']!).set(b);
    const control = new Int32Array(new SharedArrayBuffer(8));
    const task: BlockTask = {
      spec: { kind: 'matmul', variant: 'matmul', m, k, n },
      buffer,
      regions,
      chunks: rowBlocks(m, 5),
      control,
    };
    runBlock(tf, task);
    expect(Array.from(control)).toEqual([6, 5]);
    return base.matmul({ a, b, m, k, n }).then((want) => expectSame(view(buffer, regions['out']!), want));
  });
});

describe('pool lifecycle and failures', () => {
  test('dispose ends the workers; a later split call starts fresh ones', async () => {
    const p = new TfjsWorkerPool({ threads: 2 });
    const t = pooledTable(tf, base, p, { minFlop: 0, minFlopPerValue: 0, minDraws: 0, minRowsPerThread: 0 });
    const args = { a: data(64 * 32, 1), b: data(32 * 16, 2), m: 64, k: 32, n: 16 };
    await t.table.matmul(args);
    expect(p.liveWorkers).toBe(1);
    await t.dispose();
    expect(p.liveWorkers).toBe(0);
    expectSame(await t.table.matmul(args), await base.matmul(args));
    expect(p.liveWorkers).toBe(1);
    await t.dispose();
  });

  test('a worker that crashes or throws fails the call (or at the latest the next one) with KernelWorkerError, not a hang', async () => {
    const p = new TfjsWorkerPool({
      threads: 2,
      taskModule: new URL('./tfjs-pool-failing-task.ts', import.meta.url).href,
    });
    const t = pooledTable(tf, base, p, { minFlop: 0, minFlopPerValue: 0, minDraws: 0, minRowsPerThread: 0 });
    const rows = 4096;
    const noise = {
      z: data(rows * 64, 1),
      sigma: new Float32Array(64).fill(0.5),
      rows,
      channels: 64,
      spatial: 1,
      seed: 1,
      step: 1,
      layer: 0,
      rowOffset: 0,
    };
    // The main thread may finish every chunk before the worker's failure arrives; then a later call
    // raises it (after the event loop has seen the worker's exit or error: a few ms).
    const twice = async <T>(call: () => Promise<T>): Promise<T> => {
      for (let i = 0; i < 50; i++) {
        await call();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('no KernelWorkerError in 50 calls');
    };
    await expect(twice(() => t.table['noise-inject'](noise))).rejects.toThrow(
      /worker thread failed while computing a noise call.*on purpose.*ALRFLOW_TFJS_THREADS=1/,
    );
    await expect(t.table['noise-inject'](noise)).rejects.toThrow(KernelWorkerError);
    await t.dispose();
    const mm = { a: data(256 * 256, 1), b: data(256 * 256, 2), m: 256, k: 256, n: 256 };
    await expect(twice(() => t.table.matmul(mm))).rejects.toThrow(/worker thread failed.*exited with code: 3/);
    await t.dispose();
  });

  test('the default policy splits large products but not a product with few output columns (its copies cost what it computes)', () => {
    // No call runs: wouldSplit only reads dims, and the pool starts its workers on the first split call.
    const s = tfjsSplit(tf, new TfjsWorkerPool({ threads: 2 }));
    expect(s.wouldSplit('matmul', { m: 256, k: 256, n: 256 })).toBe(true);
    expect(s.wouldSplit('matmul-a-bt', { m: 4096, k: 256, n: 64 })).toBe(true);
    // The ALR MLP's second layer: 4096 x 256 x 10 (21 MFLOP, 20 FLOP per value moved).
    expect(s.wouldSplit('matmul-a-bt', { m: 4096, k: 256, n: 10 })).toBe(false);
    expect(s.wouldSplit('matmul', { m: 64, k: 784, n: 256 })).toBe(false);
    const conv = { dims: { batch: 32, inChannels: 32, height: 16, width: 16, outChannels: 32, kernelSize: 3 } };
    const dims = { ...conv.dims, stride: 1, padding: 1 };
    expect(s.wouldSplit('conv2d', { dims })).toBe(true);
    // Convolutions on onnxruntime use the cores through its own threads: never split by images.
    expect(tfjsSplit(tf, new TfjsWorkerPool({ threads: 2 }), undefined, false).wouldSplit('conv2d', { dims })).toBe(
      false,
    );
  });

  test('ALRFLOW_TFJS_THREADS sets the thread count; a bad value is refused', () => {
    expect(tfjsThreads({ ALRFLOW_TFJS_THREADS: '3' })).toBe(3);
    expect(tfjsThreads({})).toBeGreaterThanOrEqual(1);
    expect(() => tfjsThreads({ ALRFLOW_TFJS_THREADS: '0' })).toThrow(ConfigError);
    expect(() => tfjsThreads({ ALRFLOW_TFJS_THREADS: 'two' })).toThrow('allowed: an integer >= 1');
  });

  test('a process that split calls and never disposed its runner still exits by itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alrflow-pool-exit-'));
    const script = join(dir, 'exit.mts');
    const registry = new URL('../../kernels/registry.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { openBackend } from ${JSON.stringify(registry)};
const r = await openBackend('tfjs-wasm');
const a = new Float32Array(256 * 256).fill(0.5);
const out = await r.run('matmul', { a, b: a, m: 256, k: 256, n: 256 });
console.log('engine', r.engine, 'out', out.out[0]);
`,
    );
    const t0 = Date.now();
    const res = spawnSync(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ALRFLOW_TFJS_THREADS: '2' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('SIMD, 2 threads (');
    expect(res.stdout).toContain('out 64');
    expect(Date.now() - t0).toBeLessThan(60_000);
  });
});

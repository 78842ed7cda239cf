// Which tfjs-wasm kernel calls are split over the worker pool, and how: a call at or above the
// measured threshold (SPLIT_POLICY) is cut into row chunks (row-blocks.ts), up to
// CHUNKS_PER_THREAD per thread; its inputs go into one shared buffer, and the main thread and the
// workers claim chunks from a shared counter until none is left (a worker the OS has descheduled
// on a busy machine leaves its share to the others instead of stalling the call); then the
// workers' chunks are copied into the result. Smaller calls, and every call when the pool has one
// thread, run the unsplit in-thread kernel unchanged. Chunks depend only on the shape and the
// thread count, and each chunk's result is bit-identical to the same rows of the unsplit result
// whoever computes it (tfjs-blocks.ts), so results never depend on load. Host arrays only.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { KernelArgs, KernelName, KernelOutputs, KernelTable, NoiseInjectArgs } from '../names.js';
import { checkRows, noiseOutputs } from '../host-noise.js';
import { convDims } from '../reference/conv-dims.js';
import { type RowBlock, rowBlocks, signWordGranule } from './row-blocks.js';
import {
  type Arrays,
  type BlockTask,
  type HostArray,
  type MatmulVariant,
  type Region,
  type SplitSpec,
  claimChunks,
  outputSpans,
  prepareChunks,
  view,
} from './tfjs-blocks.js';
import { TfjsWorkerPool, tfjsThreads } from './tfjs-worker-pool.js';
import { tfjsOrtRunner } from './tfjs-ort-conv.js';

type Tf = typeof TfCore;
type Kernel<K extends keyof KernelTable> = KernelTable[K];

/**
 * The smallest calls worth splitting. Measured with `npm run bench:kernels -- --split-thresholds`
 * (2 threads on this 2-core machine, other work running): a split call costs ~0.4 ms more (an
 * event-loop turn, the hand-off, input copies); square matmul ran 0.92x at 2^23.8 FLOP (192^3) and
 * 1.24x at 2^25 (256^3). noise-inject-signs, re-measured after the table Box-Muller halved the cost
 * of a draw (idle machine): 0.64x at 2^13 draws, 0.99x at 2^14, 1.23x at 2^15, 1.74x at 2^16.
 */
export interface SplitPolicy {
  /** matmul family and conv2d: multiply-adds x 2. */
  minFlop: number;
  /**
   * matmul family and conv2d: GEMM rows (matmul m; conv2d batch x output pixels) per thread. Every
   * thread uploads (and for matmul-a-bt transposes) the whole shared operand, so a call with few
   * rows per thread spends its time duplicating that: measured, matmul-a-bt 64x784x256 ran 0.83x
   * split over 2 threads and conv2d 512->512 at 4x4, batch 2 ran 0.86x, while 4096x256x10 ran 1.2x
   * and conv2d 64->128 at 32x32, batch 2 ran 1.6x.
   */
  minRowsPerThread: number;
  /**
   * matmul family: FLOP per value a split call moves (A and B into the shared buffer, the output out
   * of it). A product with few output columns does little work per value copied: the ALR MLP's
   * 4096x256x10 matmul-a-bt took 1.1-1.3 ms of CPU in-thread and 1.8-2.4 ms split over 2 threads
   * (copying its 4 MiB A costs about what the product does), and 3.9 ms more per training step.
   * 2mkn / (mk + kn + mn): 20 there, 128 for 192^3, 171 for 256^3.
   */
  minFlopPerValue: number;
  /**
   * noise-inject(-signs): draws. A split call costs each thread about 0.25 ms of CPU (the hand-off,
   * an event-loop turn, views and copies): 2^15 draws (0.46 ms in-thread) took 0.57 ms of CPU split,
   * and the ALR MLP's second-layer noise (4096 x 10 = 40,960 draws, 1.2 ms) took 1.5-1.7 ms of CPU
   * split and no less wall time (2 threads, load 4-15, 100 calls each).
   */
  minDraws: number;
}

export const SPLIT_POLICY: SplitPolicy = {
  minFlop: 2 ** 24,
  minFlopPerValue: 64,
  minDraws: 2 ** 16,
  minRowsPerThread: 64,
};

/** At most this many chunks per thread: enough to rebalance around a stalled thread, few enough that per-chunk uploads stay small. */
export const CHUNKS_PER_THREAD = 4;

/** Lays regions out in the shared buffer, 64-byte aligned (whole cache lines per array). */
class Layout {
  bytes = 0;
  readonly regions: Record<string, Region> = {};
  add(key: string, a: HostArray): void {
    const offset = Math.ceil(this.bytes / 64) * 64;
    this.bytes = offset + a.byteLength;
    this.regions[key] = {
      offset,
      length: a.length,
      type: a instanceof Float64Array ? 'f64' : a instanceof Uint32Array ? 'u32' : 'f32',
    };
  }
}

/** A promise that rejects with the first rejection among `ps` and never resolves. */
function firstFailure(ps: Promise<void>[]): Promise<never> {
  const failed = Promise.race(ps.map((p) => p.then(() => new Promise<never>(() => undefined))));
  failed.catch(() => undefined);
  return failed;
}

type WaitAsync = (
  a: Int32Array,
  index: number,
  value: number,
  timeoutMs?: number,
) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Waits until control[1] counts every chunk, or a worker fails (KernelWorkerError). */
async function allDone(control: Int32Array, total: number, failed: Promise<never>): Promise<void> {
  for (let done = Atomics.load(control, 1); done < total; done = Atomics.load(control, 1)) {
    const w = waitAsync(control, 1, done, 1000);
    if (w.async) await Promise.race([w.value, failed]);
  }
}

/**
 * Runs one split call: inputs into the shared buffer, chunks claimed by this thread (into
 * `outputs` directly) and by the workers (into the buffer), then the workers' chunks copied out.
 */
async function runSplit(
  tf: Tf,
  pool: TfjsWorkerPool,
  spec: SplitSpec,
  inputs: Arrays,
  outputs: Arrays,
  chunks: RowBlock[],
): Promise<void> {
  await pool.ready();
  // One event-loop turn: a training step chains promises that settle as microtasks only, so
  // without it piscina never reads the workers' replies (or exits) between calls, counts them
  // as busy and queues new calls, which the main thread then computes alone.
  await new Promise<void>((resolve) => setImmediate(resolve));
  pool.throwIfFailed();
  const lay = new Layout();
  for (const [key, a] of [...Object.entries(inputs), ...Object.entries(outputs)]) lay.add(key, a);
  const buffer = pool.buffer(lay.bytes);
  for (const [key, a] of Object.entries(inputs)) view(buffer, lay.regions[key]!).set(a);
  const control = new Int32Array(new SharedArrayBuffer(8));
  const remote = Array.from({ length: pool.threads - 1 }, () =>
    pool.run({ spec, buffer, regions: lay.regions, chunks, control } satisfies BlockTask),
  );
  const generation = pool.generation;
  for (const p of remote) p.catch((err: unknown) => pool.noteFailure(err, generation));
  const failed = firstFailure(remote);
  const runner = prepareChunks(tf, spec, { ...inputs, ...outputs });
  let mine: number[];
  try {
    mine = claimChunks(runner, chunks, control);
    await allDone(control, chunks.length, failed);
  } catch (err) {
    // Stop further claims and let running chunks end: they write into the buffer the next call reuses.
    Atomics.store(control, 0, chunks.length);
    Atomics.notify(control, 1);
    await Promise.allSettled(remote);
    throw err;
  } finally {
    runner.dispose();
  }
  pool.throwIfFailed();
  const byMe = new Set(mine);
  pool.chunks.main += mine.length;
  pool.chunks.workers += chunks.length - mine.length;
  chunks.forEach(({ r0, r1 }, i) => {
    if (byMe.has(i)) return;
    for (const [key, s0, s1] of outputSpans(spec, r0, r1))
      outputs[key]!.set(view(buffer, lay.regions[key]!).subarray(s0, s1), s0);
  });
}

export interface TfjsSplit {
  /** Threads a split call uses (1 = never splits). */
  readonly threads: number;
  matmul(variant: MatmulVariant, inThread: Kernel<'matmul'>): Kernel<'matmul'>;
  conv2d(inThread: Kernel<'conv2d'>): Kernel<'conv2d'>;
  noise(inThread: Kernel<'noise-inject'>): Kernel<'noise-inject'>;
  noiseSigns(inThread: Kernel<'noise-inject-signs'>): Kernel<'noise-inject-signs'>;
  /** Whether a matmul-family or conv2d call of these dims would run split (only dims are read, so handles may stand in for arrays). */
  wouldSplit(name: KernelName, a: object): boolean;
}

/** A conv2d run as row blocks of its batch, one per worker call. */
async function splitConv(
  tf: Tf,
  p: TfjsWorkerPool,
  a: KernelArgs['conv2d'],
  chunks: RowBlock[],
): Promise<Float32Array> {
  const { outHeight, outWidth } = convDims('conv2d', a.dims);
  const outImage = a.dims.outChannels * outHeight * outWidth;
  const out = new Float32Array(a.dims.batch * outImage);
  await runSplit(tf, p, { kind: 'conv2d', dims: a.dims, outImage }, { x: a.x, weights: a.weights }, { out }, chunks);
  return out;
}

/**
 * `productsSplit` false: matmul-family and conv2d calls always run in-thread (their kernels use the
 * cores themselves: onnxruntime's intra-op threads).
 */
export function tfjsSplit(
  tf: Tf,
  pool: TfjsWorkerPool | null,
  policy: SplitPolicy = SPLIT_POLICY,
  productsSplit = true,
): TfjsSplit {
  const threads = pool?.threads ?? 1;
  /** The chunks of a call, or null when it stays in-thread. */
  const plan = (work: number, min: number, rows: number, granule = 1, gemmRows = Infinity): RowBlock[] | null => {
    if (pool === null || threads < 2 || work < min || gemmRows < policy.minRowsPerThread * threads) return null;
    const parts = Math.min(CHUNKS_PER_THREAD * threads, Math.max(threads, Math.floor(work / Math.max(min, 1))));
    const chunks = rowBlocks(rows, parts, granule);
    return chunks.length > 1 ? chunks : null;
  };
  const split = <K extends keyof KernelTable>(
    inThread: Kernel<K>,
    chunksOf: (a: KernelArgs[K]) => RowBlock[] | null,
    run: (a: KernelArgs[K], chunks: RowBlock[], p: TfjsWorkerPool) => Promise<KernelOutputs[K]>,
  ): Kernel<K> =>
    (async (a: KernelArgs[K]) => {
      const chunks = chunksOf(a);
      return chunks === null ? inThread(a) : pool!.exclusive(() => run(a, chunks, pool!));
    }) as Kernel<K>;
  const matmulPlan = ({ m, k, n }: Pick<KernelArgs['matmul'], 'm' | 'k' | 'n'>): RowBlock[] | null =>
    !productsSplit || 2 * m * k * n < policy.minFlopPerValue * (m * k + k * n + m * n)
      ? null
      : plan(2 * m * k * n, policy.minFlop, m, 1, m);
  const convPlan = (a: Pick<KernelArgs['conv2d'], 'dims'>): RowBlock[] | null =>
    productsSplit ? plan(convFlop(a), policy.minFlop, a.dims.batch, 1, convRows(a)) : null;
  return {
    threads,
    wouldSplit: (name, a) => {
      if (name === 'matmul' || name === 'matmul-at-b' || name === 'matmul-a-bt')
        return matmulPlan(a as KernelArgs['matmul']) !== null;
      return name === 'conv2d' && convPlan(a as KernelArgs['conv2d']) !== null;
    },
    matmul: (variant, inThread) =>
      split<'matmul'>(inThread, matmulPlan, async (a, chunks, p) => {
        const out = new Float32Array(a.m * a.n);
        await runSplit(tf, p, { kind: 'matmul', variant, m: a.m, k: a.k, n: a.n }, { a: a.a, b: a.b }, { out }, chunks);
        return out;
      }),
    conv2d: (inThread) => split<'conv2d'>(inThread, convPlan, (a, chunks, p) => splitConv(tf, p, a, chunks)),
    noise: (inThread) =>
      split<'noise-inject'>(
        inThread,
        (a) => plan(draws(a), policy.minDraws, a.rows),
        async (a, chunks, p) => (await splitNoise(tf, p, a, chunks, false)).out,
      ),
    noiseSigns: (inThread) =>
      split<'noise-inject-signs'>(
        inThread,
        (a) => plan(draws(a), policy.minDraws, a.rows, signWordGranule(a.channels * a.spatial)),
        async (a, chunks, p) => {
          const r = await splitNoise(tf, p, a, chunks, true);
          return { out: r.out, signs: r.signs! };
        },
      ),
  };
}

const draws = (a: NoiseInjectArgs): number => a.rows * a.channels * a.spatial;

/** Output pixels of a conv2d: the rows of its GEMM. */
function convRows({ dims: d }: Pick<KernelArgs['conv2d'], 'dims'>): number {
  const { outHeight, outWidth } = convDims('conv2d', d);
  return d.batch * outHeight * outWidth;
}

function convFlop(a: Pick<KernelArgs['conv2d'], 'dims'>): number {
  const d = a.dims;
  return 2 * convRows(a) * d.outChannels * d.inChannels * d.kernelSize ** 2;
}

async function splitNoise(
  tf: Tf,
  pool: TfjsWorkerPool,
  a: NoiseInjectArgs,
  chunks: RowBlock[],
  withSigns: boolean,
): Promise<{ out: Float32Array; signs: Uint32Array | null }> {
  checkRows(a);
  const { out, signs } = noiseOutputs(a, withSigns);
  const counters = {
    rows: a.rows,
    channels: a.channels,
    spatial: a.spatial,
    seed: a.seed,
    step: a.step,
    layer: a.layer,
    rowOffset: a.rowOffset,
    copies: a.copies ?? 1,
  };
  await runSplit(
    tf,
    pool,
    { kind: 'noise', counters, signs: withSigns },
    { z: a.z, sigma: a.sigma },
    signs ? { out, signs } : { out },
    chunks,
  );
  return { out, signs };
}

/** A host kernel table whose large calls run split over a worker pool; dispose ends the workers. */
export interface PooledTable {
  table: KernelTable;
  threads: number;
  wouldSplit: TfjsSplit['wouldSplit'];
  dispose(): Promise<void>;
}

/**
 * `table` (the unsplit tfjs-wasm host table) with the matmul family, conv2d and noise injection
 * routed through the pool: calls under the policy's thresholds still run the table's own kernels.
 * lr-grad-product stays in-thread: split by output units, every thread uploads the whole x and e,
 * and it measured 0.47x to 0.99x on 2 threads (64x256x784 to 512x512x512); split by rows it would
 * change the summation order. With `productsSplit` false (conv2d and the matmul family run on
 * onnxruntime, whose own intra-op threads use the cores: tfjs-ort-conv.ts, tfjs-ort-products.ts)
 * those calls always run the table's kernels. Every argument is a host array (resident
 * handles are downloaded by the registry first).
 */
export function pooledTable(
  tf: Tf,
  table: KernelTable,
  pool: TfjsWorkerPool | null,
  policy: SplitPolicy = SPLIT_POLICY,
  productsSplit = true,
): PooledTable {
  const s = tfjsSplit(tf, pool, policy, productsSplit);
  return {
    threads: s.threads,
    wouldSplit: s.wouldSplit,
    table: {
      ...table,
      matmul: s.matmul('matmul', table.matmul),
      'matmul-at-b': s.matmul('matmul-at-b', table['matmul-at-b']),
      'matmul-a-bt': s.matmul('matmul-a-bt', table['matmul-a-bt']),
      conv2d: s.conv2d(table.conv2d),
      'noise-inject': s.noise(table['noise-inject']),
      'noise-inject-signs': s.noiseSigns(table['noise-inject-signs']),
    },
    dispose: async () => pool?.destroy(),
  };
}

/**
 * pooledTable over a pool of tfjsThreads() threads (no pool when that is 1); what the registry opens.
 * `table`'s convolutions and matrix products are its default ones: on onnxruntime at tfjsThreads()
 * threads where it loads (then never split over the pool), else on TF.js.
 */
export function defaultPooledTable(tf: Tf, table: KernelTable): PooledTable {
  const threads = tfjsThreads();
  const pool = threads > 1 ? new TfjsWorkerPool({ threads }) : null;
  return pooledTable(tf, table, pool, SPLIT_POLICY, tfjsOrtRunner() === null);
}

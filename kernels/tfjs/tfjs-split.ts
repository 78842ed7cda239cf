// Which tfjs-wasm kernel calls are split over the worker pool, and how: a call at or above the
// measured threshold (SPLIT_POLICY) is cut into row blocks (row-blocks.ts), one per thread; the
// workers get theirs through one shared buffer while the main thread computes block 0 with its own
// TF.js, then the workers' rows are copied into the result. Smaller calls, and every call when the
// pool has one thread, run the unsplit in-thread kernel unchanged. Blocks depend only on the shape
// and the thread count, and a split result equals the unsplit one bit for bit (tfjs-blocks.ts), so
// results never depend on load. Routing takes host arrays only.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { KernelArgs, KernelOutputs, KernelTable, NoiseInjectArgs, NumArray } from '../names.js';
import { checkRows, injectRows } from '../host-noise.js';
import { convDims } from '../reference/conv-dims.js';
import { type RowBlock, rowBlocks, signWordGranule } from './row-blocks.js';
import { type BlockTask, type MatmulVariant, type Region, conv2dImages, lrGradUnits, matmulRows, view } from './tfjs-blocks.js';
import { TfjsWorkerPool, tfjsThreads } from './tfjs-worker-pool.js';

type Tf = typeof TfCore;
type Kernel<K extends keyof KernelTable> = KernelTable[K];

/**
 * The smallest calls worth splitting. Measured with `npm run bench:kernels -- --split-thresholds`
 * (2 threads, this 2-core machine, under load from other work): a split costs ~0.2 ms (hand-off +
 * copies); matmul broke even near 2^22 FLOP (128^3) and won 1.5x at 2^23, noise-inject-signs broke
 * even near 2^13 draws and won 1.7x at 2^15.
 */
export interface SplitPolicy {
  /** matmul family, lr-grad-product and conv2d: multiply-adds x 2. */
  minFlop: number;
  /** noise-inject(-signs): draws. */
  minDraws: number;
}

export const SPLIT_POLICY: SplitPolicy = { minFlop: 2 ** 23, minDraws: 2 ** 14 };

/** Lays regions out in the shared buffer, 64-byte aligned (whole cache lines per array). */
class Layout {
  bytes = 0;
  add(length: number, f64 = false): Region {
    const offset = Math.ceil(this.bytes / 64) * 64;
    this.bytes = offset + length * (f64 ? 8 : 4);
    return { offset, length, f64 };
  }
  of(a: NumArray): Region {
    return this.add(a.length, a instanceof Float64Array);
  }
}

/** Copies elements [from, to) of `src` to the same indices of its region (only what workers read). */
function put(buffer: SharedArrayBuffer, r: Region, src: NumArray, from = 0, to = src.length): void {
  view(buffer, r).set(src.subarray(from, to), from);
}

/** Hands blocks 1.. to the workers, runs `main` (block 0) meanwhile, and waits for every block. */
async function fanOut(pool: TfjsWorkerPool, tasks: BlockTask[], main: () => void): Promise<void> {
  const remote = tasks.map((t) => pool.run(t));
  let mainError: unknown = null;
  try {
    main();
  } catch (err) {
    mainError = err ?? new Error('main-thread block failed');
  }
  // Wait for every worker even after a failure: they write into the shared buffer the next call reuses.
  const settled = await Promise.allSettled(remote);
  if (mainError !== null) throw mainError;
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
}

export interface TfjsSplit {
  /** Threads a split call uses (1 = never splits). */
  readonly threads: number;
  matmul(variant: MatmulVariant, inThread: Kernel<'matmul'>): Kernel<'matmul'>;
  lrGrad(inThread: Kernel<'lr-grad-product'>): Kernel<'lr-grad-product'>;
  conv2d(inThread: Kernel<'conv2d'>): Kernel<'conv2d'>;
  noise(inThread: Kernel<'noise-inject'>): Kernel<'noise-inject'>;
  noiseSigns(inThread: Kernel<'noise-inject-signs'>): Kernel<'noise-inject-signs'>;
}

export function tfjsSplit(tf: Tf, pool: TfjsWorkerPool | null, policy: SplitPolicy = SPLIT_POLICY): TfjsSplit {
  const threads = pool?.threads ?? 1;
  /** The blocks of a call, or null when it stays in-thread. */
  const plan = (work: number, min: number, rows: number, granule = 1): RowBlock[] | null => {
    if (pool === null || threads < 2 || work < min) return null;
    const blocks = rowBlocks(rows, threads, granule);
    return blocks.length > 1 ? blocks : null;
  };
  const split = <K extends keyof KernelTable>(inThread: Kernel<K>, blocksOf: (a: KernelArgs[K]) => RowBlock[] | null, run: (a: KernelArgs[K], blocks: RowBlock[], p: TfjsWorkerPool) => Promise<KernelOutputs[K]>): Kernel<K> =>
    (async (a: KernelArgs[K]) => {
      const blocks = blocksOf(a);
      return blocks === null ? inThread(a) : pool!.exclusive(() => run(a, blocks, pool!));
    }) as Kernel<K>;
  return {
    threads,
    matmul: (variant, inThread) => split<'matmul'>(inThread, (a) => plan(2 * a.m * a.k * a.n, policy.minFlop, a.m), (a, blocks, p) => splitMatmul(tf, p, variant, a, blocks)),
    lrGrad: (inThread) => split<'lr-grad-product'>(inThread, (a) => plan(2 * a.rows * a.outs * a.ins, policy.minFlop, a.outs), (a, blocks, p) => splitLrGrad(tf, p, a, blocks)),
    conv2d: (inThread) => split<'conv2d'>(inThread, (a) => plan(convFlop(a), policy.minFlop, a.dims.batch), (a, blocks, p) => splitConv(tf, p, a, blocks)),
    noise: (inThread) => split<'noise-inject'>(inThread, (a) => plan(a.rows * a.channels * a.spatial, policy.minDraws, a.rows), async (a, blocks, p) => (await splitNoise(p, a, blocks, false)).out),
    noiseSigns: (inThread) =>
      split<'noise-inject-signs'>(inThread, (a) => plan(a.rows * a.channels * a.spatial, policy.minDraws, a.rows, signWordGranule(a.channels * a.spatial)), async (a, blocks, p) => {
        const r = await splitNoise(p, a, blocks, true);
        return { out: r.out, signs: r.signs! };
      }),
  };
}

function convFlop({ dims: d }: KernelArgs['conv2d']): number {
  const { outHeight, outWidth } = convDims('conv2d', d);
  return 2 * d.batch * d.outChannels * outHeight * outWidth * d.inChannels * d.kernelSize ** 2;
}

async function splitMatmul(tf: Tf, pool: TfjsWorkerPool, variant: MatmulVariant, a: KernelArgs['matmul'], blocks: RowBlock[]): Promise<Float32Array> {
  const { m, k, n } = a;
  const lay = new Layout();
  const [ra, rb, ro] = [lay.of(a.a), lay.of(a.b), lay.add(m * n)];
  const buffer = pool.buffer(lay.bytes);
  // Workers read rows r >= blocks[1].r0 of A, or all of A when its rows are the output's columns.
  if (variant === 'matmul-at-b') put(buffer, ra, a.a);
  else put(buffer, ra, a.a, blocks[1]!.r0 * k);
  put(buffer, rb, a.b);
  const out = new Float32Array(m * n);
  const tasks = blocks.slice(1).map((b): BlockTask => ({ kind: 'matmul', variant, buffer, a: ra, b: rb, out: ro, m, k, n, ...b }));
  await fanOut(pool, tasks, () => out.set(matmulRows(tf, variant, a, blocks[0]!.r0, blocks[0]!.r1)));
  out.set(view(buffer, ro).subarray(blocks[1]!.r0 * n), blocks[1]!.r0 * n);
  return out;
}

async function splitLrGrad(tf: Tf, pool: TfjsWorkerPool, a: KernelArgs['lr-grad-product'], blocks: RowBlock[]): Promise<KernelOutputs['lr-grad-product']> {
  const lay = new Layout();
  const [loss, e, x, sigma] = [lay.of(a.loss), lay.of(a.e), lay.of(a.x), lay.of(a.sigma)];
  const [outW, outB] = [lay.add(a.outs * a.ins), lay.add(a.outs)];
  const buffer = pool.buffer(lay.bytes);
  for (const [r, src] of [[loss, a.loss], [e, a.e], [x, a.x], [sigma, a.sigma]] as const) put(buffer, r, src);
  const weights = new Float32Array(a.outs * a.ins);
  const biases = new Float32Array(a.outs);
  const { rows, outs, ins, scale } = a;
  const tasks = blocks.slice(1).map((b): BlockTask => ({ kind: 'lr-grad', buffer, loss, e, x, sigma, outW, outB, rows, outs, ins, scale, ...b }));
  await fanOut(pool, tasks, () => {
    const mine = lrGradUnits(tf, a, blocks[0]!.r0, blocks[0]!.r1);
    weights.set(mine.weights);
    biases.set(mine.biases);
  });
  const o = blocks[1]!.r0;
  weights.set(view(buffer, outW).subarray(o * ins), o * ins);
  biases.set(view(buffer, outB).subarray(o), o);
  return { weights, biases };
}

async function splitConv(tf: Tf, pool: TfjsWorkerPool, a: KernelArgs['conv2d'], blocks: RowBlock[]): Promise<Float32Array> {
  const d = a.dims;
  const { outHeight, outWidth } = convDims('conv2d', d);
  const image = d.inChannels * d.height * d.width;
  const outImage = d.outChannels * outHeight * outWidth;
  const lay = new Layout();
  const [x, weights, ro] = [lay.of(a.x), lay.of(a.weights), lay.add(d.batch * outImage)];
  const buffer = pool.buffer(lay.bytes);
  put(buffer, x, a.x, blocks[1]!.r0 * image);
  put(buffer, weights, a.weights);
  const out = new Float32Array(d.batch * outImage);
  const tasks = blocks.slice(1).map((b): BlockTask => ({ kind: 'conv2d', buffer, x, weights, out: ro, dims: d, ...b }));
  await fanOut(pool, tasks, () => out.set(conv2dImages(tf, a, blocks[0]!.r0, blocks[0]!.r1)));
  out.set(view(buffer, ro).subarray(blocks[1]!.r0 * outImage), blocks[1]!.r0 * outImage);
  return out;
}

async function splitNoise(pool: TfjsWorkerPool, a: NoiseInjectArgs, blocks: RowBlock[], withSigns: boolean): Promise<{ out: Float32Array; signs: Uint32Array | null }> {
  checkRows(a);
  const units = a.channels * a.spatial;
  const words = Math.ceil((a.rows * units) / 32);
  const lay = new Layout();
  const [z, sigma, ro] = [lay.of(a.z), lay.of(a.sigma), lay.add(a.rows * units)];
  const rs = withSigns ? lay.add(words) : null;
  const buffer = pool.buffer(lay.bytes);
  const first = blocks[1]!.r0;
  put(buffer, z, a.z, first * units);
  put(buffer, sigma, a.sigma);
  const out = new Float32Array(a.rows * units);
  const signs = withSigns ? new Uint32Array(words) : null;
  const counters = { rows: a.rows, channels: a.channels, spatial: a.spatial, seed: a.seed, step: a.step, layer: a.layer, rowOffset: a.rowOffset };
  const tasks = blocks.slice(1).map((b): BlockTask => ({ kind: 'noise', buffer, z, sigma, out: ro, signs: rs, counters, ...b }));
  await fanOut(pool, tasks, () => injectRows(a, blocks[0]!.r0, blocks[0]!.r1, out, signs));
  out.set(view(buffer, ro).subarray(first * units), first * units);
  // Block 1 starts on a word boundary (signWordGranule), so the workers' words are whole.
  if (signs !== null && rs !== null) signs.set(new Uint32Array(buffer, rs.offset, rs.length).subarray((first * units) >>> 5), (first * units) >>> 5);
  return { out, signs };
}

/** A host kernel table whose large calls run split over a worker pool; dispose ends the workers. */
export interface PooledTable {
  table: KernelTable;
  threads: number;
  dispose(): Promise<void>;
}

/**
 * `table` (the unsplit tfjs-wasm host table) with the matmul family, lr-grad-product, conv2d and
 * noise injection routed through the pool: calls under the policy's thresholds still run the
 * table's own kernels. Every argument is a host array (resident handles are downloaded by the registry first).
 */
export function pooledTable(tf: Tf, table: KernelTable, pool: TfjsWorkerPool | null, policy: SplitPolicy = SPLIT_POLICY): PooledTable {
  const s = tfjsSplit(tf, pool, policy);
  return {
    threads: s.threads,
    table: {
      ...table,
      matmul: s.matmul('matmul', table.matmul),
      'matmul-at-b': s.matmul('matmul-at-b', table['matmul-at-b']),
      'matmul-a-bt': s.matmul('matmul-a-bt', table['matmul-a-bt']),
      'lr-grad-product': s.lrGrad(table['lr-grad-product']),
      conv2d: s.conv2d(table.conv2d),
      'noise-inject': s.noise(table['noise-inject']),
      'noise-inject-signs': s.noiseSigns(table['noise-inject-signs']),
    },
    dispose: async () => pool?.destroy(),
  };
}

/** pooledTable over a pool of tfjsThreads() threads (no pool when that is 1); what the registry opens. */
export function defaultPooledTable(tf: Tf, table: KernelTable): PooledTable {
  const threads = tfjsThreads();
  return pooledTable(tf, table, threads > 1 ? new TfjsWorkerPool({ threads }) : null);
}

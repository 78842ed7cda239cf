// Row chunks of a split kernel call, computed the same way on the main thread and in a pool worker
// (tfjs-pool-task.ts): matmul and its transposed forms by rows of the output, conv2d by images,
// noise injection by rows. A chunk runs the very TF.js
// ops of the unsplit kernel (tfjs-table.ts) on a sub-range, and XNNPACK computes an output row from
// its own input row alone, so a split result equals the unsplit one bit for bit whichever thread
// computed which chunk (test/unit/tfjs-worker-pool.test.ts). Operands every chunk shares (B, the
// weights) are uploaded once per thread per call. Also the messages that carry a call to a worker:
// arrays travel as regions of one SharedArrayBuffer, never as copies. Not the scheduler (tfjs-split.ts).
import type * as TfCore from '@tensorflow/tfjs-core';
import { injectRows } from '../host-noise.js';
import type { ConvDims, NoiseInjectArgs, NumArray } from '../names.js';
import type { RowBlock } from './row-blocks.js';

type Tf = typeof TfCore;
const f32 = (a: NumArray): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));

export type MatmulVariant = 'matmul' | 'matmul-at-b' | 'matmul-a-bt';
export type NoiseCounters = Omit<NoiseInjectArgs, 'z' | 'sigma'>;

/** What a split call computes; the arrays it names are in `Arrays` under the listed keys. */
export type SplitSpec =
  | { kind: 'matmul'; variant: MatmulVariant; m: number; k: number; n: number } // a, b -> out
  | { kind: 'conv2d'; dims: ConvDims; outImage: number } // x, weights -> out
  | { kind: 'noise'; counters: NoiseCounters; signs: boolean }; // z, sigma -> out (, signs)

export type HostArray = Float32Array | Float64Array | Uint32Array;
export type Arrays = Record<string, HostArray>;

/** An array inside the shared buffer: byte offset, element count, element type. */
export interface Region {
  offset: number;
  length: number;
  type: 'f32' | 'f64' | 'u32';
}

/** A split call as a worker sees it: claim chunk indices from control[0], count finished ones in control[1]. */
export interface BlockTask {
  spec: SplitSpec;
  buffer: SharedArrayBuffer;
  regions: Record<string, Region>;
  chunks: RowBlock[];
  control: Int32Array;
}

export function view(buffer: SharedArrayBuffer, r: Region): HostArray {
  // Views over shared memory: typed as plain arrays (TS types typed arrays by their buffer kind).
  const b = buffer as unknown as ArrayBuffer;
  return r.type === 'f64'
    ? new Float64Array(b, r.offset, r.length)
    : r.type === 'u32'
      ? new Uint32Array(b, r.offset, r.length)
      : new Float32Array(b, r.offset, r.length);
}

/** Element ranges of each output that rows r0..r1 write (the main thread copies workers' chunks by these). */
export function outputSpans(spec: SplitSpec, r0: number, r1: number): [string, number, number][] {
  switch (spec.kind) {
    case 'matmul':
      return [['out', r0 * spec.n, r1 * spec.n]];
    case 'conv2d':
      return [['out', r0 * spec.outImage, r1 * spec.outImage]];
    case 'noise': {
      const units = spec.counters.channels * spec.counters.spatial;
      const out: [string, number, number][] = [['out', r0 * units, r1 * units]];
      return spec.signs ? [...out, ['signs', (r0 * units) >>> 5, Math.ceil((r1 * units) / 32)]] : out;
    }
    default:
      return spec satisfies never;
  }
}

/** Computes chunks of one call into `arr`'s outputs; dispose frees what it uploaded. */
export interface ChunkRunner {
  run(r0: number, r1: number): void;
  dispose(): void;
}

const num = (arr: Arrays, key: string): NumArray => arr[key] as NumArray;

export function prepareChunks(tf: Tf, spec: SplitSpec, arr: Arrays): ChunkRunner {
  switch (spec.kind) {
    case 'matmul':
      return matmulChunks(tf, spec, arr);
    case 'conv2d':
      return convChunks(tf, spec, arr);
    case 'noise':
      return {
        run: (r0, r1) => {
          const signs = spec.signs ? (arr['signs'] as Uint32Array) : null;
          const units = spec.counters.channels * spec.counters.spatial;
          // Chunks own whole sign words (row-blocks.ts granule); clear them, as a worker's buffer is reused.
          signs?.fill(0, (r0 * units) >>> 5, Math.ceil((r1 * units) / 32));
          injectRows(
            { ...spec.counters, z: num(arr, 'z'), sigma: num(arr, 'sigma') },
            r0,
            r1,
            arr['out'] as Float32Array,
            signs,
          );
        },
        dispose: () => undefined,
      };
    default:
      return spec satisfies never;
  }
}

/** Reads a tidy result into `out` at `at` and frees it. */
function readInto(tf: Tf, out: HostArray, at: number, fn: () => TfCore.Tensor): void {
  const t = tf.tidy(fn);
  out.set(t.dataSync() as Float32Array, at);
  t.dispose();
}

/** Explicit transposes, as in tfjs-table.ts (TF.js wasm's transposeA/B flags run ~20x slower). */
function matmulChunks(tf: Tf, s: Extract<SplitSpec, { kind: 'matmul' }>, arr: Arrays): ChunkRunner {
  const { m, k, n } = s;
  const a = num(arr, 'a');
  const b = num(arr, 'b');
  const bt = tf.tidy(() =>
    s.variant === 'matmul-a-bt' ? tf.transpose(tf.tensor2d(f32(b), [n, k])) : tf.tensor2d(f32(b), [k, n]),
  );
  const aAll = s.variant === 'matmul-at-b' ? tf.tensor2d(f32(a), [k, m]) : null;
  return {
    run: (r0, r1) =>
      readInto(tf, arr['out']!, r0 * n, () => {
        const at = aAll
          ? tf.transpose(tf.slice(aAll, [0, r0], [k, r1 - r0]))
          : tf.tensor2d(f32(a.subarray(r0 * k, r1 * k)), [r1 - r0, k]);
        return tf.matMul(at, bt);
      }),
    dispose: () => tf.dispose([bt, ...(aAll ? [aAll] : [])]),
  };
}

/** Images i0..i1 of an NCHW conv2d (NHWC/HWIO inside TF.js, as in tfjs-table.ts). */
function convChunks(tf: Tf, s: Extract<SplitSpec, { kind: 'conv2d' }>, arr: Arrays): ChunkRunner {
  const d = s.dims;
  const image = d.inChannels * d.height * d.width;
  const x = num(arr, 'x');
  const wt = tf.tidy(() =>
    tf.transpose(
      tf.tensor4d(f32(num(arr, 'weights')), [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize]),
      [2, 3, 1, 0],
    ),
  );
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [d.padding, d.padding],
    [d.padding, d.padding],
    [0, 0],
  ];
  return {
    run: (i0, i1) =>
      readInto(tf, arr['out']!, i0 * s.outImage, () => {
        const xt = tf.transpose(
          tf.tensor4d(f32(x.subarray(i0 * image, i1 * image)), [i1 - i0, d.inChannels, d.height, d.width]),
          [0, 2, 3, 1],
        );
        return tf.transpose(tf.conv2d(xt, wt, d.stride, pad), [0, 3, 1, 2]);
      }),
    dispose: () => wt.dispose(),
  };
}

/**
 * Claims chunks from control[0] until none is left, computing each and counting it in control[1]
 * (with a notify, the main thread may be waiting); returns the indices it computed.
 */
export function claimChunks(runner: ChunkRunner, chunks: RowBlock[], control: Int32Array): number[] {
  const mine: number[] = [];
  for (let i = Atomics.add(control, 0, 1); i < chunks.length; i = Atomics.add(control, 0, 1)) {
    runner.run(chunks[i]!.r0, chunks[i]!.r1);
    mine.push(i);
    Atomics.add(control, 1, 1);
    Atomics.notify(control, 1);
  }
  return mine;
}

/** The worker side of a call: claims chunks against the shared buffer until none is left. */
export function runBlock(tf: Tf, t: BlockTask): void {
  if (Atomics.load(t.control, 0) >= t.chunks.length) return;
  const arr: Arrays = Object.fromEntries(Object.entries(t.regions).map(([key, r]) => [key, view(t.buffer, r)]));
  const runner = prepareChunks(tf, t.spec, arr);
  try {
    claimChunks(runner, t.chunks, t.control);
  } finally {
    runner.dispose();
  }
}

// The device operations of a gpu.js GPU mode (kernels/device-ops.ts) as pipeline kernels: every
// result is a handle that stays on the device. Sums reduce in blocks of 256 (then the block sums,
// and so on), so no thread loops over a whole parameter buffer. Not a registry kernel.
import type { DeviceOps, NoiseCounters, SignErrorSignalArgs, SignWords } from '../device-ops.js';
import type { DeviceTensor, Resident } from '../device-tensor.js';
import { f32, type Flat, type GpujsContext, type Launcher, type ThreadThis } from './gpujs-context.js';
import { gpujsCopyOps } from './gpujs-device-copy-ops.js';
import { gpujsTokenCopyOps } from './gpujs-device-token-copy-ops.js';
import { gpujsLayerOps } from './gpujs-device-layer-ops.js';
import { signHalves } from './noise-signs.js';

/** Values a block-sum thread adds up. */
const BLOCK = 256;

function sliceBody(this: ThreadThis, x: Flat, start: number): number {
  return x[start + this.thread.x]!;
}

/** Constants: count = the first part's length. */
function concatBody(this: ThreadThis, a: Flat, b: Flat): number {
  let v = 0;
  if (this.thread.x < this.constants.count) v = a[this.thread.x]!;
  else v = b[this.thread.x - this.constants.count]!;
  return v;
}

/** Constants: cols = row width, count = copies of each row. */
function repeatRowsBody(this: ThreadThis, x: Flat): number {
  const i = this.thread.x;
  const r = Math.floor((i + 0.5) / this.constants.cols);
  const n = Math.floor((r + 0.5) / this.constants.count);
  return x[n * this.constants.cols + i - r * this.constants.cols]!;
}

/** Constants: count = elements, cols = block size. */
function blockSumBody(this: ThreadThis, x: Flat): number {
  let sum = 0;
  for (let j = 0; j < this.constants.cols; j++) {
    const i = this.thread.x * this.constants.cols + j;
    if (i < this.constants.count) sum += x[i]!;
  }
  return sum;
}

/** Like blockSumBody, counting values that are not below 3e38 in magnitude (NaN and infinities fail every comparison). */
function blockNonFiniteBody(this: ThreadThis, x: Flat): number {
  let bad = 0;
  for (let j = 0; j < this.constants.cols; j++) {
    const i = this.thread.x * this.constants.cols + j;
    if (i < this.constants.count) {
      let ok = 0;
      if (Math.abs(x[i]!) < 3e38) ok = 1;
      bad += 1 - ok;
    }
  }
  return bad;
}

/** Constants: cols = channels * spatial, spatial. halves: 16 signs per float, bit b of half-word h is element 16h + b. */
function signErrorSignalBody(this: ThreadThis, halves: Flat, loss: Flat, sigma: Flat, scale: number): number {
  const i = this.thread.x;
  const r = Math.floor((i + 0.5) / this.constants.cols);
  const c = Math.floor((i - r * this.constants.cols + 0.5) / this.constants.spatial);
  const word = Math.floor((i + 0.5) / 16);
  const bit = i - word * 16;
  let p = 1;
  for (let k = 0; k < 16; k++) {
    if (k < bit) p = p * 2;
  }
  const h = halves[word]!;
  const set = Math.floor(h / p) - 2 * Math.floor(h / (2 * p));
  return (scale * loss[r]! * (2 * set - 1)) / sigma[c]!;
}

/** Constants: cols = channels * spatial, spatial. */
function errorSignalBody(this: ThreadThis, eps: Flat, loss: Flat, sigma: Flat, scale: number): number {
  const i = this.thread.x;
  const r = Math.floor((i + 0.5) / this.constants.cols);
  const c = Math.floor((i - r * this.constants.cols + 0.5) / this.constants.spatial);
  return (scale * loss[r]! * eps[i]!) / sigma[c]!;
}

type Ops<K extends keyof DeviceOps> = Pick<DeviceOps, K>;

/** Slices, joins and row repeats (copies on the device). */
function layoutOps(gpu: Launcher<DeviceTensor>): Ops<'slice' | 'concat' | 'repeatRows'> {
  const slice = (x: Resident, start: number, length: number): Promise<DeviceTensor> =>
    gpu.call(gpu.kernel('slice', sliceBody, { output: [length], constants: {} }), f32(x), start);
  const concat2 = (a: Resident, b: Resident): Promise<DeviceTensor> => {
    const k = gpu.kernel('concat', concatBody, { output: [a.length + b.length], constants: { count: a.length } });
    return gpu.call(k, f32(a), f32(b));
  };
  return {
    slice,
    async concat(parts) {
      if (parts.length === 0) throw new Error('gpu.js concat: no buffers to join');
      let out = parts.length === 1 ? await slice(parts[0]!, 0, parts[0]!.length) : await concat2(parts[0]!, parts[1]!);
      for (const p of parts.slice(2)) {
        const next = await concat2(out, p);
        out.dispose();
        out = next;
      }
      return out;
    },
    repeatRows(x, rows, copies) {
      const cols = x.length / rows;
      const k = gpu.kernel('repeat-rows', repeatRowsBody, {
        output: [x.length * copies],
        constants: { cols, count: copies },
      });
      return gpu.call(k, f32(x));
    },
  };
}

/** Sums and non-finite counts, reduced in blocks of BLOCK values per thread. */
function reductionOps(gpu: Launcher<DeviceTensor>): Ops<'sum' | 'nonFinite'> {
  const blocks = (name: string, body: (this: ThreadThis, x: Flat) => number, x: Resident): Promise<DeviceTensor> => {
    const count = x.length;
    const k = gpu.kernel(name, body, {
      output: [Math.max(1, Math.ceil(count / BLOCK))],
      constants: { count, cols: BLOCK },
    });
    return gpu.call(k, f32(x));
  };
  /** Block sums until one value is left; the intermediate levels are freed. */
  const sumLevels = async (first: DeviceTensor): Promise<DeviceTensor> => {
    let out = first;
    while (out.length > 1) {
      const next = await blocks('block-sum', blockSumBody, out);
      out.dispose();
      out = next;
    }
    return out;
  };
  return {
    sum: async (x) => sumLevels(await blocks('block-sum', blockSumBody, x)),
    nonFinite: async (x) => sumLevels(await blocks('block-non-finite', blockNonFiniteBody, x)),
  };
}

/** ALR's sign words and the LR/ALR error signals. */
function signalOps(gpu: Launcher<DeviceTensor>): Ops<'signWords' | 'errorSignal' | 'signErrorSignal'> {
  const spec = (a: { rows: number; channels: number; spatial: number }) => ({
    output: [a.rows * a.channels * a.spatial],
    constants: { cols: a.channels * a.spatial, spatial: a.spatial },
  });
  return {
    signWords: async (a: NoiseCounters): Promise<SignWords> => ({
      halves: await signHalves(gpu, a),
      count: a.rows * a.channels * a.spatial,
    }),
    errorSignal: (a) =>
      gpu.call(gpu.kernel('error-signal', errorSignalBody, spec(a)), f32(a.eps), f32(a.loss), f32(a.sigma), a.scale),
    signErrorSignal: (a: SignErrorSignalArgs) =>
      gpu.call(
        gpu.kernel('sign-error-signal', signErrorSignalBody, spec(a)),
        a.signs.halves,
        f32(a.loss),
        f32(a.sigma),
        a.scale,
      ),
  };
}

export function gpujsDeviceOps(ctx: GpujsContext): DeviceOps {
  const gpu = ctx.resident();
  return {
    covers: 'all',
    ...layoutOps(gpu),
    ...reductionOps(gpu),
    ...signalOps(gpu),
    ...gpujsLayerOps(gpu),
    ...gpujsCopyOps(gpu),
    ...gpujsTokenCopyOps(gpu),
  };
}

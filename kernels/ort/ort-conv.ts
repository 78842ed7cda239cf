// NCHW convolutions on onnxruntime's CPU provider (ort-session.ts; MLAS convolves NCHW natively):
// the forward as Conv, the data gradient as ConvTranspose with the same weights, and the weight
// gradient as one Gemm per kernel tap (ort-conv-taps.ts; stride-1 layers of TAPS_MIN_CHANNELS or
// more input channels) or else as a Conv over transposed operands: the input as C images of N channels ([C, N, H, W])
// convolved with dy as O filters of N channels ([O, N, OH, OW]) dilated by the stride, whose
// [C, O, k, k] output is the gradient with its two channel axes swapped. Measured against writing
// the input's patches out (a JS loop) and one Gemm, at 1 thread, CPU ms per call: 1.6 / 2.1 for
// resnet5's stem (N = 32, 3 -> 32 channels at 32x32), 3.7 / 4.8 and 4.9 / 5.4 for its 32 -> 32 and
// 32 -> 64 layers at 16x16, 65 / 87 for 32 -> 32 at N = 512 (ALR's rows); the patch loop alone took
// most of the second. Bias gradients: dy's per-channel sums as one Gemm against ones. Every output
// is written into the caller's array; results do not depend on the thread count (MLAS splits
// outputs, never a sum). Not a kernel.
import type { ConvDims } from '../reference/conv-dims.js';
import { ortGemm } from './ort-gemm.js';
import { convWeightsByTaps } from './ort-conv-taps.js';
import type { OrtNode, OrtRunner } from './ort-session.js';

/** Output height and width of a convolution (dims already validated by the caller). */
function outSize(d: ConvDims): [number, number] {
  const out = (n: number) => Math.floor((n + 2 * d.padding - d.kernelSize) / d.stride) + 1;
  return [out(d.height), out(d.width)];
}

const square = (n: number): [number, number] => [n, n];

function convAttrs(d: ConvDims) {
  const p = d.padding;
  return { kernel_shape: square(d.kernelSize), pads: [p, p, p, p], strides: square(d.stride) };
}

/** y [N, O, OH, OW] = conv(x [N, C, H, W], weights [O, C, k, k]). */
export function ortConv2d(ort: OrtRunner, x: Float32Array, weights: Float32Array, y: Float32Array, d: ConvDims): void {
  const node: OrtNode = {
    op: 'Conv',
    inputs: [
      [d.batch, d.inChannels, d.height, d.width],
      [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize],
    ],
    output: [d.batch, d.outChannels, ...outSize(d)],
    attrs: convAttrs(d),
  };
  ort.run(node, [x, weights], y);
}

/**
 * dx [N, C, H, W] from dy [N, O, OH, OW] and weights [O, C, k, k]: ConvTranspose, with output_padding
 * giving back the input rows and columns a strided forward's floor left unread.
 */
export function ortConvBackwardData(
  ort: OrtRunner,
  dy: Float32Array,
  weights: Float32Array,
  dx: Float32Array,
  d: ConvDims,
): void {
  const [oh, ow] = outSize(d);
  const unread = (n: number, o: number) => n + 2 * d.padding - d.kernelSize - (o - 1) * d.stride;
  const node: OrtNode = {
    op: 'ConvTranspose',
    inputs: [
      [d.batch, d.outChannels, oh, ow],
      [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize],
    ],
    output: [d.batch, d.inChannels, d.height, d.width],
    attrs: { ...convAttrs(d), output_padding: [unread(d.height, oh), unread(d.width, ow)] },
  };
  ort.run(node, [dy, weights], dx);
}

/**
 * Stride-1 layers with at least this many input channels take one Gemm per tap (ort-conv-taps.ts): 1
 * thread, CPU ms per call, taps against the Conv form, at N = 32: 32 -> 32 at 16x16 2.2 / 4.5-6.5,
 * 32 -> 64 3.2-3.3 / 5.7-5.9; N = 512: 41.4-41.9 / 70.4-73.6, 60.7-61.8 / 112-119. A 3-channel stem
 * stays with the Conv form (its Gemms are 3 columns wide): N = 32 4.7-5.2 / 3.1-4.2, N = 512 82-85 / 80.
 * A strided layer would multiply zeros in the taps' dy grid.
 */
const TAPS_MIN_CHANNELS = 16;

/** Grown-once work arrays, one per role (a call's transposed operands and products). */
class Scratch {
  private readonly arrays = new Map<string, Float32Array>();
  get(role: string, length: number): Float32Array {
    let a = this.arrays.get(role);
    if (!a || a.length < length) {
      a = new Float32Array(length);
      this.arrays.set(role, a);
    }
    return a.subarray(0, length);
  }
}

const scratch = new WeakMap<OrtRunner, Scratch>();

/** The first two axes of a 4-D array swapped: [a, b, h, w] -> [b, a, h, w]. */
function swapBatchAxes(ort: OrtRunner, x: Float32Array, out: Float32Array, dims: readonly number[]): void {
  const [a, b, h, w] = dims as [number, number, number, number];
  ort.run({ op: 'Transpose', inputs: [dims], output: [b, a, h, w], attrs: { perm: [1, 0, 2, 3] } }, [x], out);
}

/**
 * weights [O, C, k, k] and biases [O] of a convolution's gradient from dy [N, O, OH, OW] (float64 values are
 * rounded to float32 as they are read) and x [N, C, H, W],
 * by taps (TAPS_MIN_CHANNELS) or as a Conv over transposed operands. The latter pads the far edge so its output is k x k, or, where the floor left more
 * than the padding unread, one or more rows and columns past k, dropped when the result is reordered.
 */
export function ortConvBackwardWeights(
  ort: OrtRunner,
  dy: Float32Array | Float64Array,
  x: Float32Array,
  weights: Float32Array,
  biases: Float32Array,
  d: ConvDims,
): void {
  const { batch: n, inChannels: c, height: h, width: w, outChannels: o, kernelSize: k, stride: s, padding: p } = d;
  const [oh, ow] = outSize(d);
  const work = scratch.get(ort) ?? new Scratch();
  scratch.set(ort, work);
  if (s === 1 && c >= TAPS_MIN_CHANNELS)
    return convWeightsByTaps(ort, (role, length) => work.get(role, length), { dy, x, weights, biases }, d, [oh, ow]);
  const xT = work.get('x', x.length);
  const dyT = work.get('dy', dy.length);
  swapBatchAxes(ort, x, xT, [n, c, h, w]);
  swapBatchAxes(ort, dy instanceof Float32Array ? dy : Float32Array.from(dy), dyT, [n, o, oh, ow]);
  const far = (size: number, out: number) => k + (out - 1) * s - size - p;
  const [farH, farW] = [far(h, oh), far(w, ow)];
  const [th, tw] = [k - Math.min(farH, 0), k - Math.min(farW, 0)];
  const taps = work.get('taps', c * o * th * tw);
  const node: OrtNode = {
    op: 'Conv',
    inputs: [
      [c, n, h, w],
      [o, n, oh, ow],
    ],
    output: [c, o, th, tw],
    attrs: { kernel_shape: [oh, ow], pads: [p, p, Math.max(farH, 0), Math.max(farW, 0)], dilations: square(s) },
  };
  ort.run(node, [xT, dyT], taps);
  for (let oc = 0; oc < o; oc++)
    for (let ic = 0; ic < c; ic++)
      for (let u = 0; u < k; u++) {
        const from = ((ic * o + oc) * th + u) * tw;
        weights.set(taps.subarray(from, from + k), ((oc * c + ic) * k + u) * k);
      }
  const rows = n * oh * ow;
  const ones = work.get('ones', rows);
  if (ones[rows - 1] !== 1) ones.fill(1);
  ortGemm(ort, dyT, ones, biases, { m: o, k: rows, n: 1 });
}

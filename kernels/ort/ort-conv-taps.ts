// A convolution's weight gradient as one Gemm per kernel tap (ort-gemm.ts) over zero-padded grids:
// the input as [C, N, H + 2p, W + 2p] and dy placed at its stride positions in a grid of the same
// size, [O, N, H + 2p, W + 2p]. In the flattened grids, tap (u, v) pairs dy at grid position f with
// the input at f + u (W + 2p) + v, so the tap's [O, C] gradient is dy's grid times the input's grid
// read from that offset (a view, no copy): no position of dy meets the next image's or channel's
// values (its window ends inside its own image), and the input grid carries k - 1 rows of zeros past
// its end for the last channel's view. Biases: dy's grid times ones. Not a kernel.
import type { ConvDims } from '../reference/conv-dims.js';
import { ortGemm } from './ort-gemm.js';
import type { OrtRunner } from './ort-session.js';

type Work = (role: string, length: number) => Float32Array;

/** x [N, C, H, W] into grid [C, N, hp, wp] at offset (p, p), zeros elsewhere. */
function inputGrid(x: Float32Array, grid: Float32Array, d: ConvDims, hp: number, wp: number): void {
  const { batch: n, inChannels: c, height: h, width: w, padding: p } = d;
  grid.fill(0);
  for (let ci = 0; ci < c; ci++)
    for (let ni = 0; ni < n; ni++) {
      const from = (ni * c + ci) * h * w;
      const to = ((ci * n + ni) * hp + p) * wp + p;
      for (let i = 0; i < h; i++) {
        const [src, dst] = [from + i * w, to + i * wp];
        for (let j = 0; j < w; j++) grid[dst + j] = x[src + j]!;
      }
    }
}

/** dy [N, O, oh, ow] into grid [O, N, hp, wp] at the stride positions (r s, q s), zeros elsewhere (float64 rounded to float32). */
function gradientGrid(
  dy: Float32Array | Float64Array,
  grid: Float32Array,
  d: ConvDims,
  out: number[],
  hp: number,
  wp: number,
) {
  const { batch: n, outChannels: o, stride: s } = d;
  const [oh, ow] = out as [number, number];
  grid.fill(0);
  for (let oc = 0; oc < o; oc++)
    for (let ni = 0; ni < n; ni++) {
      const from = (ni * o + oc) * oh * ow;
      const to = (oc * n + ni) * hp * wp;
      for (let r = 0; r < oh; r++) {
        const [src, dst] = [from + r * ow, to + r * s * wp];
        for (let q = 0; q < ow; q++) grid[dst + q * s] = dy[src + q]!;
      }
    }
}

/** weights [O, C, k, k] and biases [O] of the gradient from dy [N, O, oh, ow] and x [N, C, H, W]. */
export function convWeightsByTaps(
  ort: OrtRunner,
  work: Work,
  args: { dy: Float32Array | Float64Array; x: Float32Array; weights: Float32Array; biases: Float32Array },
  d: ConvDims,
  out: number[],
): void {
  const { batch: n, inChannels: c, outChannels: o, kernelSize: k, padding: p } = d;
  const [hp, wp] = [d.height + 2 * p, d.width + 2 * p];
  const f = n * hp * wp;
  const xs = work('grid-x', c * f + (k - 1) * (wp + 1));
  const dys = work('grid-dy', o * f);
  inputGrid(args.x, xs, d, hp, wp);
  gradientGrid(args.dy, dys, d, out, hp, wp);
  const tap = work('tap', o * c);
  for (let u = 0; u < k; u++)
    for (let v = 0; v < k; v++) {
      const at = u * wp + v;
      ortGemm(ort, dys, xs.subarray(at, at + c * f), tap, { m: o, k: f, n: c, transB: true });
      for (let i = 0; i < o * c; i++) args.weights[i * k * k + u * k + v] = tap[i]!;
    }
  const ones = work('ones', f);
  if (ones[f - 1] !== 1) ones.fill(1);
  ortGemm(ort, dys, ones, args.biases, { m: o, k: f, n: 1 });
}

// The tfjs-wasm backend's matrix products on onnxruntime's native CPU provider (MLAS, kernels/ort)
// where it loads: matmul, matmul-at-b, matmul-a-bt and the product inside lr-grad-product. Inputs are
// read in place (host arrays, or views of TF.js's wasm heap for resident handles) and the product is
// written straight into its result (a fresh Float32Array, or a fresh TF.js tensor's memory), so a
// resident chain stays in TF.js with no copy. MLAS ran the MLP's 64 x 784 x 256 layer product at
// 88-92 GMAC/s on one thread against TF.js wasm XNNPACK's ~21, and splits its work over the runner's
// intra-op threads without splitting a sum, so results do not depend on the thread count. Results
// differ from the TF.js kernels' in float32 rounding only. Where io.direct cannot run (a resident
// call off TF.js's wasm backend) the TF.js kernel runs instead. Not the TF.js kernels (tfjs-table.ts).
import type { KernelTable, NumArray } from '../names.js';
import type { DeviceTensor } from '../device-tensor.js';
import { ortGemm } from '../ort/ort-gemm.js';
import type { OrtRunner } from '../ort/ort-session.js';
import type { TfjsIo } from './tfjs-io.js';

export type ProductKernels = Pick<KernelTable, 'matmul' | 'matmul-at-b' | 'matmul-a-bt' | 'lr-grad-product'>;

function gemmOp(
  io: TfjsIo,
  ort: OrtRunner,
  fallback: KernelTable['matmul'],
  transA: boolean,
  transB: boolean,
): KernelTable['matmul'] {
  return async (args) => {
    const { a, b, m, k, n } = args;
    const out = io.direct([a, b], [m * n], ([c], [x, y]) => ortGemm(ort, x!, y!, c!, { m, k, n, transA, transB }));
    return out ? out[0]! : fallback(args);
  };
}

/**
 * coef[r][o] = loss[r] e[r][o] scale / sigma[o], each rounded once to float32 from float64 arithmetic
 * on the float32 inputs, and its column sums (the biases' gradient, summed in float64).
 */
function coefficients(
  loss: Float32Array,
  e: Float32Array,
  sigma: Float32Array,
  scale: number,
  rows: number,
  outs: number,
): { coef: Float32Array; sums: Float64Array } {
  const perOut = Float64Array.from(sigma, (s) => scale / s);
  const coef = new Float32Array(rows * outs);
  const sums = new Float64Array(outs);
  for (let r = 0; r < rows; r++) {
    const l = loss[r]!;
    const at = r * outs;
    for (let o = 0; o < outs; o++) {
      const c = Math.fround(l * e[at + o]! * perOut[o]!);
      coef[at + o] = c;
      sums[o]! += c;
    }
  }
  return { coef, sums };
}

/** Column sums of a rows x outs array, in float64. */
function columnSums(e: Float32Array, rows: number, outs: number): Float64Array {
  const sums = new Float64Array(outs);
  for (let r = 0; r < rows; r++) for (let o = 0, at = r * outs; o < outs; o++) sums[o]! += e[at + o]!;
  return sums;
}

/**
 * lr-grad-product as one native product: weights = coef^T x (x: rows x ins), biases = coef's column
 * sums. BP's plain D^T X (unit loss, sigma and scale, known without reading them) multiplies the
 * error signal itself; otherwise the per-row loss and per-output scale / sigma are folded into the
 * coefficients before the product (rows x outs values, not outs x ins after it).
 */
function lrGradOp(
  io: TfjsIo,
  ort: OrtRunner,
  fallback: KernelTable['lr-grad-product'],
  allOnes: (a: NumArray | DeviceTensor) => boolean,
): KernelTable['lr-grad-product'] {
  return async (args) => {
    const { loss, e, x, sigma, rows, outs, ins, scale } = args;
    const unit = scale === 1 && allOnes(loss) && allOnes(sigma);
    const inputs = unit ? [e, x] : [e, x, loss, sigma];
    const results = io.direct(inputs, [outs * ins, outs], ([weights, biases], [d, xs, l, s]) => {
      const { coef, sums } = unit
        ? { coef: d!, sums: columnSums(d!, rows, outs) }
        : coefficients(l!, d!, s!, scale, rows, outs);
      ortGemm(ort, coef, xs!, weights!, { m: outs, k: rows, n: ins, transA: true });
      biases!.set(sums);
    });
    return results ? { weights: results[0]!, biases: results[1]! } : fallback(args);
  };
}

/** The products of `fallback` (the TF.js table over the same io) on `ort`. */
export function ortProducts(
  io: TfjsIo,
  ort: OrtRunner,
  fallback: ProductKernels,
  allOnes: (a: NumArray | DeviceTensor) => boolean,
): ProductKernels {
  return {
    matmul: gemmOp(io, ort, fallback.matmul, false, false),
    'matmul-at-b': gemmOp(io, ort, fallback['matmul-at-b'], true, false),
    'matmul-a-bt': gemmOp(io, ort, fallback['matmul-a-bt'], false, true),
    'lr-grad-product': lrGradOp(io, ort, fallback['lr-grad-product'], allOnes),
  };
}

// The `tfjs-wasm` backend: every registry kernel on TensorFlow.js's wasm backend (XNNPACK, SIMD),
// the fast CPU path (gpu.js webasm runs a matmul ~15x slower here; bench/kernels.bench.ts). It is a
// CPU backend, so noise-inject draws its eps on the host from the reference RNG (rng.ts), sign-pack
// packs bits on the host (TF.js has no integer bit operations) and the SGD update is a host loop
// (faster than a TF.js round trip; host-elementwise.ts). Not a GPU path. The same op bodies make
// the resident table (tfjsResidentTable): inputs and results stay in TF.js as handles (tfjs-io.ts).
// Where onnxruntime loads, the matrix products, convolutions and max pooling run on its MLAS instead
// (tfjs-ort-products.ts, tfjs-ort-conv.ts).
import type * as TfCore from '@tensorflow/tfjs-core';
import { type DeviceTensor, isDeviceTensor, type ResidentTable } from '../device-tensor.js';
import type { KernelName, KernelTable, NumArray } from '../names.js';
import { convDims } from '../reference/conv-dims.js';
import { tfjsFallback, tfjsGraphOps } from './tfjs-graph-ops.js';
import { hostActivationBackward, hostSgdUpdate, hostSignPack } from '../host-elementwise.js';
import { activationOp } from '../ops/activations.js';
import { stepOpReferenceKernels } from '../registry-reference-step.js';
import { STEP_OP_NAMES } from '../step-op-args.js';
import { hostNoiseInject, hostNoiseInjectSigns } from '../host-noise.js';
import { hostIo, residentIo, type TfjsIo } from './tfjs-io.js';
import { tfjsTokenOps } from './tfjs-token-ops.js';
import { isUnitHandle, isZeroHandle } from './tfjs-device-ops.js';
import { tfjsStateKernels } from './tfjs-state-kernels.js';
import { transpose2d } from './tfjs-transpose.js';
import type { OrtRunner } from '../ort/ort-session.js';
import { ortConvKernels, tfjsOrtRunner } from './tfjs-ort-conv.js';
import { ortProducts } from './tfjs-ort-products.js';

type Tf = typeof TfCore;

/** Kernels this backend computes in host JS rather than TF.js (they move no data to or from TF.js). */
export const TFJS_HOST_KERNELS: ReadonlySet<KernelName> = new Set([
  'noise-inject',
  'noise-inject-signs',
  'sign-pack',
  'sgd-update',
  'activation-backward',
  ...STEP_OP_NAMES,
]);

/** Kernels whose resident version takes and returns handles; the others get host arrays (host work, reference fallback, Adam's three reads). */
export const TFJS_RESIDENT_KERNELS: readonly KernelName[] = [
  'matmul',
  'matmul-at-b',
  'matmul-a-bt',
  'conv2d',
  'bias-activation',
  'lr-grad-product',
  'softmax-cross-entropy',
  'row-sum',
  'batchnorm',
  'pool',
  'pool-backward',
  'add',
  'copy-sum',
  'conv2d-backward-data',
  'conv2d-backward-weights',
  'adam-update',
];

/**
 * Transposes are explicit: TF.js wasm's matMul with transposeA/transposeB set runs ~20x slower than
 * tf.transpose followed by a plain matMul (measured at 512: 661 ms vs 39 ms). A times B^T whose B is
 * the larger side (a linear layer's forward: 64 x 784 inputs, 256 x 784 weights) runs as (B A^T)^T,
 * which transposes A and the product instead of B: half the time at that shape (2.05 -> 1.01 ms of
 * CPU), and the same bits (XNNPACK sums each output over k in one order either way; the tfjs-wasm
 * matmul test compares both to the last bit).
 */
function matmulOp(tf: Tf, io: TfjsIo, transposeA: boolean, transposeB: boolean): KernelTable['matmul'] {
  return async ({ a, b, m, k, n }) =>
    io.output(() => {
      if (transposeB && !transposeA && n * k > m * k + m * n)
        return transpose2d(tf, tf.matMul(io.tensor2d(b, [n, k]), transpose2d(tf, io.tensor2d(a, [m, k]))));
      const at = transposeA ? transpose2d(tf, io.tensor2d(a, [k, m])) : io.tensor2d(a, [m, k]);
      const bt = transposeB ? transpose2d(tf, io.tensor2d(b, [n, k])) : io.tensor2d(b, [k, n]);
      return tf.matMul(at, bt);
    });
}

/** Whether an argument holds only ones (a handle only where a fill of ones made it: its values are not read). */
function allOnes(a: NumArray | DeviceTensor): boolean {
  if (isDeviceTensor(a)) return isUnitHandle(a);
  for (let i = 0; i < a.length; i++) if (a[i] !== 1) return false;
  return true;
}

/** NCHW conv2d on TF.js's NHWC/HWIO convolution. */
function conv2dOp(tf: Tf, io: TfjsIo): KernelTable['conv2d'] {
  return async ({ x, weights, dims: d }) => {
    convDims('conv2d', d);
    return io.output(() => {
      // TF.js wasm convolves NHWC with HWIO filters; transpose in and out of the NCHW contract.
      const xt = tf.transpose(io.tensor4d(x, [d.batch, d.inChannels, d.height, d.width]), [0, 2, 3, 1]);
      const wt = tf.transpose(
        io.tensor4d(weights, [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize]),
        [2, 3, 1, 0],
      );
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [
        [0, 0],
        [d.padding, d.padding],
        [d.padding, d.padding],
        [0, 0],
      ];
      return tf.transpose(tf.conv2d(xt, wt, d.stride, pad), [0, 3, 1, 2]);
    });
  };
}

function adamOp(tf: Tf, io: TfjsIo): KernelTable['adam-update'] {
  return async ({ w, g, m, v, lr, beta1, beta2, eps, t }) => {
    // On the host table m1 and v1 are read back and re-read as host arrays; resident, they stay handles.
    const gt = (): TfCore.Tensor1D => io.tensor1d(g);
    const m1 = io.output(() => tf.add(tf.mul(io.tensor1d(m), beta1), tf.mul(gt(), 1 - beta1)));
    const v1 = io.output(() => tf.add(tf.mul(io.tensor1d(v), beta2), tf.mul(tf.square(gt()), 1 - beta2)));
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    const w1 = io.output(() =>
      tf.sub(
        io.tensor1d(w),
        tf.div(tf.mul(io.tensor1d(m1), lr / c1), tf.add(tf.sqrt(tf.div(io.tensor1d(v1), c2)), eps)),
      ),
    );
    return { w: w1, m: m1, v: v1 };
  };
}

/**
 * The resident table: the kernels of TFJS_RESIDENT_KERNELS over the resident io, so their results are
 * handles, and the kernels a step whose state stays in TF.js adds (tfjs-state-kernels.ts).
 */
export function tfjsResidentTable(tf: Tf, ort: OrtRunner | null = tfjsOrtRunner()): ResidentTable {
  const table = tfjsTable(tf, residentIo(tf), ort);
  // Typed by the host table, but over the resident io these kernels return handles: re-typed here, once.
  const own = Object.fromEntries(TFJS_RESIDENT_KERNELS.map((name) => [name, table[name]])) as unknown as ResidentTable;
  return { ...own, ...tfjsStateKernels(tf) };
}

/**
 * The host table (or, over the resident io, the resident kernels). `ort`: the runner its convolutions
 * and max pooling (tfjs-ort-conv.ts) and matrix products (tfjs-ort-products.ts) use, by default onnxruntime at the
 * backend's thread count where it loads; null keeps them on TF.js.
 */
export function tfjsTable(tf: Tf, io: TfjsIo = hostIo(tf), ort: OrtRunner | null = tfjsOrtRunner()): KernelTable {
  const table = tfjsOwnTable(tf, io);
  return ort ? { ...table, ...ortProducts(io, ort, table, allOnes), ...ortConvKernels(io, ort, table) } : table;
}

function tfjsOwnTable(tf: Tf, io: TfjsIo): KernelTable {
  return {
    ...tfjsFallback.table,
    ...tfjsGraphOps(tf, io),
    ...stepOpReferenceKernels,
    ...tfjsTokenOps(tf, io),
    matmul: matmulOp(tf, io, false, false),
    'matmul-at-b': matmulOp(tf, io, true, false),
    'matmul-a-bt': matmulOp(tf, io, false, true),
    conv2d: conv2dOp(tf, io),
    'bias-activation': async ({ z, bias, rows, channels, spatial, activation }) =>
      io.output(() => {
        // An activation without a bias (the runtime passes a fill of zeros): no add of zeros.
        const pre = isZeroHandle(bias)
          ? io.tensor1d(z)
          : tf.add(io.tensor3d(z, [rows, channels, spatial]), io.tensor3d(bias, [1, channels, 1]));
        return activation === 'none' ? pre : activationOp(activation).tfjs(tf, pre);
      }),
    'activation-backward': async (a) => hostActivationBackward(a),
    // Host-side: a JS loop over the counter RNG beats uploading eps and adding it in TF.js.
    'noise-inject': async (a) => hostNoiseInject(a),
    'noise-inject-signs': async (a) => hostNoiseInjectSigns(a),
    'sign-pack': async ({ values }) => hostSignPack(values),
    'lr-grad-product': async ({ loss, e, x, sigma, rows, outs, ins, scale }) => {
      // BP's plain D^T X passes loss = 1, sigma = 1, scale = 1: the products by 1 are exact, so skipped.
      const unitLoss = allOnes(loss);
      const unitRate = scale === 1 && allOnes(sigma);
      const [weights, biases] = io.outputs(() => {
        const d = io.tensor2d(e, [rows, outs]);
        const coef = unitLoss ? d : tf.mul(io.tensor2d(loss, [rows, 1]), d);
        // The column sums over the transposed rows: TF.js sums over axis 0 by transposing first (same order, same bits).
        const coefT = transpose2d(tf, coef);
        const product = tf.matMul(coefT, io.tensor2d(x, [rows, ins]));
        if (unitRate) return [product, tf.sum(coefT, 1)];
        const perOut = tf.div(tf.scalar(scale), io.tensor1d(sigma));
        return [tf.mul(product, tf.reshape(perOut, [outs, 1])), tf.mul(tf.sum(coefT, 1), perOut)];
      });
      return { weights: weights!, biases: biases! };
    },
    'softmax-cross-entropy': async ({ logits, labels, rows, classes }) =>
      io.output(() => {
        // gather, not oneHot: TF.js's oneHot refuses a depth of 1 (a one-class head is legal here).
        const logp = tf.reshape(tf.logSoftmax(io.tensor2d(logits, [rows, classes])), [rows * classes]);
        const at = Int32Array.from(labels, (label, r) => r * classes + label);
        return tf.neg(tf.gather(logp, tf.tensor1d(at, 'int32')));
      }),
    'row-sum': async ({ x, rows, cols }) => io.output(() => tf.sum(io.tensor2d(x, [rows, cols]), 1)),
    'sgd-update': async (a) => hostSgdUpdate(a),
    'adam-update': adamOp(tf, io),
  };
}

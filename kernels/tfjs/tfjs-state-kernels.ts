// The kernels a BP step adds on tfjs-wasm when its state stays in TF.js between steps (the runtime
// calls them only then: tfjs-device-ops.ts): the SGD update as TF.js float32 ops on the handles
// (the host table's loop rounds once per value from float64: the two differ by float32 rounding),
// BP through ReLU in TF.js (dy where x > 0, else 0: the host loop's values; another activation runs
// the host loop on the downloaded values and goes back up), and BP through batch-norm with frozen statistics, dy gamma / sqrt(variance +
// 1e-5), in float32 (the host kernel's float64 values to float32 rounding). Nothing is downloaded, so
// such a step moves only its batch, its labels and its status. Adam is the TF.js kernel of
// tfjs-table.ts. Not used by other backends.
import type * as TfCore from '@tensorflow/tfjs-core';
import { downloadArgs, type ResidentArgs, type ResidentOutputs } from '../device-tensor.js';
import type { ActivationBackwardArgs, KernelTable } from '../names.js';
import { hostActivationBackward } from '../host-elementwise.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';
import { f32, residentIo, tfjsHandle } from './tfjs-io.js';
import { heapMap } from './tfjs-heap.js';

type Tf = typeof TfCore;

export const TFJS_STATE_KERNELS = ['sgd-update', 'activation-backward', 'batchnorm-backward'] as const;
type StateKernel = (typeof TFJS_STATE_KERNELS)[number];

/**
 * Buffers up to this many values (the MLP's 2,570-value output layer) take SGD's JS loops: there the
 * four TF.js calls and their scalars cost more than the values (0.022 ms for 2,570 values); on the
 * 200,960-value layer the wasm element-wise kernels win (0.13 against 0.77 ms for the loop).
 */
const SMALL_SGD = 16_384;

/** v1 = v m + g in float32, as TF.js's Mul then Add round it. */
function momentumInto(out: Float32Array, v: Float32Array, g: Float32Array, m: number): void {
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(v[i]! * m) + g[i]!;
}

/** w1 = w - v1 lr in float32, as TF.js's Mul then Sub round it. */
function stepInto(out: Float32Array, w: Float32Array, v1: Float32Array, lr: number): void {
  for (let i = 0; i < out.length; i++) out[i] = w[i]! - Math.fround(v1[i]! * lr);
}

export function tfjsStateKernels(tf: Tf): { [K in StateKernel]: (a: ResidentArgs<K>) => Promise<ResidentOutputs<K>> } {
  const io = residentIo(tf);
  const sgd: KernelTable['sgd-update'] = async ({ w, g, v, lr, momentum }) => {
    const [m32, lr32] = [Math.fround(momentum), Math.fround(lr)];
    // A small buffer takes one JS loop per result (the TF.js ops' float32 roundings, Math.fround per operation).
    const small = w.length <= SMALL_SGD;
    const v1 = io.output(() => {
      const [vt, gt] = [io.tensor1d(v), io.tensor1d(g)];
      const loop = small
        ? heapMap(tf, [vt, gt], [vt.size], (out, [a, b]) => momentumInto(out, a!, b!, m32))
        : undefined;
      return loop ?? tf.add(tf.mul(vt, tf.scalar(momentum)), gt);
    });
    const w1 = io.output(() => {
      const [wt, vt] = [io.tensor1d(w), io.tensor1d(v1)];
      const loop = small ? heapMap(tf, [wt, vt], [wt.size], (out, [a, b]) => stepInto(out, a!, b!, lr32)) : undefined;
      return loop ?? tf.sub(wt, tf.mul(vt, tf.scalar(lr)));
    });
    return { w: w1, v: v1 };
  };
  return {
    // Over the resident io the update's results are handles (typed as the host result there, as tfjsResidentTable).
    'sgd-update': sgd as unknown as (a: ResidentArgs<'sgd-update'>) => Promise<ResidentOutputs<'sgd-update'>>,
    'activation-backward': async (args) => {
      if (args.activation !== 'relu') {
        const host = hostActivationBackward((await downloadArgs(args)) as ActivationBackwardArgs);
        return tfjsHandle(tf.tensor1d(f32(host))) as unknown as ResidentOutputs<'activation-backward'>;
      }
      const dx = io.output(() => {
        const [dy, x] = [io.tensor1d(args.dy), io.tensor1d(args.x)];
        // One loop on the wasm memory (tfjs-heap.ts) where TF.js's where/greater/zerosLike took six kernel calls.
        const loop = heapMap(tf, [dy, x], [dy.size], (out, [g, a]) => reluBackwardBits(out, g!, a!));
        return loop ?? tf.where(tf.greater(x, tf.scalar(0)), dy, tf.zerosLike(dy));
      });
      return dx as unknown as ResidentOutputs<'activation-backward'>;
    },
    'batchnorm-backward': async ({ dy, gamma, variance, rows, channels, spatial }) => {
      const perChannel = (a: typeof gamma) => io.tensor3d(a, [1, channels, 1]);
      const dx = io.output(() => {
        const scale = tf.div(perChannel(gamma), tf.sqrt(tf.add(perChannel(variance), batchnormEpsilon)));
        return tf.reshape(tf.mul(io.tensor3d(dy, [rows, channels, spatial]), scale), [-1]);
      });
      return dx as unknown as ResidentOutputs<'batchnorm-backward'>;
    },
  };
}

const bits = (a: Float32Array): Int32Array => new Int32Array(a.buffer, a.byteOffset, a.length);

/**
 * out = a > 0 ? g : +0 on the float32 bit patterns, with no branch (a branch per value on signs that
 * vary mispredicts: 5.4 ms per 2^20 values against 1.1 ms here). a > 0 exactly when its bits b, as an
 * int32, satisfy 0 < b <= 0x7f800000 (+Infinity; above it are NaNs, negative b the negative values and
 * -0): ~((b - 1) >> 31) is all ones for b >= 1 (b = -2^31, -0, wraps to all ones but fails the second
 * test) and (0x7f800000 - b) >> 31 ^ -1 is all ones for b <= 0x7f800000 (and for b in [-2^23 + 1, -1],
 * which the first test refuses). g's bits under that mask: g itself or +0, the branch's values exactly.
 */
function reluBackwardBits(out: Float32Array, g: Float32Array, a: Float32Array): void {
  const [o, gb, ab] = [bits(out), bits(g), bits(a)];
  for (let i = 0; i < o.length; i++) {
    const b = ab[i]!;
    o[i] = gb[i]! & ~((b - 1) >> 31) & (((0x7f800000 - b) >> 31) ^ -1);
  }
}

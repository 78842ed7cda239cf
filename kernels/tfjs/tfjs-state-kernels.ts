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

export function tfjsStateKernels(tf: Tf): { [K in StateKernel]: (a: ResidentArgs<K>) => Promise<ResidentOutputs<K>> } {
  const io = residentIo(tf);
  const sgd: KernelTable['sgd-update'] = async ({ w, g, v, lr, momentum }) => {
    const v1 = io.output(() => tf.add(tf.mul(io.tensor1d(v), tf.scalar(momentum)), io.tensor1d(g)));
    const w1 = io.output(() => tf.sub(io.tensor1d(w), tf.mul(io.tensor1d(v1), tf.scalar(lr))));
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

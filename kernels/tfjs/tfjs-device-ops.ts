// The device operations of tfjs-wasm (kernels/device-ops.ts) as TF.js ops whose results stay in TF.js
// as handles, so a BP step's parameters, optimizer state and gradients stay in TF.js between steps
// and a step reads back one small array (its loss sum and the updates' non-finite counts). Sums,
// statistics, the loss and its gradient run as TF.js float32 ops (the host path's float64 values to
// float32 rounding), slices as one copy inside the wasm heap. tfjs-wasm draws its
// noise on the host (host-noise.ts), so the noise operations are refused here: LR, ALR and ES steps
// keep their state on the host (DeviceOps.covers). Not a registry kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { BatchnormParamGradientArgs, ChannelDims, DeviceLossArgs, DeviceOps } from '../device-ops.js';
import { type DeviceTensor, isDeviceTensor, type Resident } from '../device-tensor.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';
import { f32, tfjsHandle } from './tfjs-io.js';
import { heapLoss, heapLossGradient } from './tfjs-heap-loss.js';
import { heapMap, heapUpload } from './tfjs-heap.js';
import { heapBatchnormParamGradient, heapChannelStats } from './tfjs-heap-batchnorm.js';

type Tf = typeof TfCore;

/** Handles made by a fill of ones: lr-grad-product skips its products by them (tfjs-table.ts). */
const unitHandles = new WeakSet<DeviceTensor>();
/** Handles made by a fill of zeros: bias-activation skips adding them (an activation without a bias). */
const zeroHandles = new WeakSet<DeviceTensor>();

/** Whether a handle holds only ones because a fill of ones made it. */
export function isUnitHandle(x: Resident): boolean {
  return isDeviceTensor(x) && unitHandles.has(x);
}

/** Whether a handle holds only zeros because a fill of zeros made it. */
export function isZeroHandle(x: Resident): boolean {
  return isDeviceTensor(x) && zeroHandles.has(x);
}

/** A tfjs-wasm handle's tensor, or a host array uploaded (inside a tidy: the upload is freed with it). */
function tensorOf(tf: Tf, x: Resident): TfCore.Tensor1D {
  if (!isDeviceTensor(x)) return tf.tensor1d(f32(x));
  if (x.backend !== 'tfjs-wasm') throw new Error(`tfjs-wasm device ops: got a ${x.backend} device handle`);
  const native = x.native as TfCore.Tensor;
  // Each TF.js call costs 10-20 us: a handle that is flat already is used as it is (results are always new tensors).
  return native.rank === 1 ? (native as TfCore.Tensor1D) : tf.reshape(native, [x.length]);
}

/** `fn`'s tensor kept in TF.js as a handle (an error thrown by `fn` rejects the promise). */
async function held(tf: Tf, fn: () => TfCore.Tensor): Promise<DeviceTensor> {
  return tfjsHandle(tf.tidy(fn));
}

/**
 * x[start .. start + length - 1] copied inside the wasm heap: one copy of `length` floats. TF.js wasm's
 * own slice first reads the whole of x out of the heap into a fresh array (0.61 ms for a 200,704-float
 * slice of the MLP's 200,960 parameters, 0.27 ms for its 256 biases, against 0.037 and 0.002 ms here).
 */
function heapSlice(tf: Tf, x: TfCore.Tensor, start: number, length: number): TfCore.Tensor {
  const copy = heapMap(tf, [x], [length], (out, [from]) => out.set(from!.subarray(start, start + length)));
  return copy ?? tf.slice(tf.reshape(x, [-1]), [start], [length]);
}

/** A host array as a flat tensor: a float64 one written into the wasm memory in one pass (tfjs-heap.ts). */
function upload(tf: Tf, x: Float32Array | Float64Array): TfCore.Tensor {
  return (x instanceof Float64Array ? heapUpload(tf, x, [x.length]) : undefined) ?? tf.tensor1d(f32(x));
}

/** [rows, channels, spatial] view of a flat tensor. */
const byChannel = (tf: Tf, x: TfCore.Tensor, d: ChannelDims) => tf.reshape(x, [d.rows, d.channels, d.spatial]);

function layoutOps(tf: Tf): Pick<DeviceOps, 'slice' | 'concat' | 'repeatRows' | 'scale' | 'atLeast' | 'fill'> {
  const t = (x: Resident) => tensorOf(tf, x);
  return {
    slice: (x, start, length) =>
      held(tf, () =>
        isDeviceTensor(x) ? heapSlice(tf, t(x), start, length) : upload(tf, x.subarray(start, start + length)),
      ),
    concat(parts) {
      if (parts.length === 0) throw new Error('tfjs-wasm concat: no buffers to join');
      return held(tf, () => (parts.length === 1 ? tf.clone(t(parts[0]!)) : tf.concat(parts.map(t))));
    },
    repeatRows: (x, rows, copies) =>
      held(tf, () =>
        copies === 1
          ? tf.clone(t(x))
          : tf.reshape(tf.tile(tf.reshape(t(x), [rows, 1, x.length / rows]), [1, copies, 1]), [-1]),
      ),
    scale: (x, factor) => held(tf, () => tf.mul(t(x), tf.scalar(factor))),
    atLeast: (x, floor) => held(tf, () => tf.maximum(t(x), tf.scalar(floor))),
    async fill(length, value) {
      const out = await held(tf, () => tf.fill([length], value));
      if (value === 1) unitHandles.add(out);
      if (value === 0) zeroHandles.add(out);
      return out;
    },
  };
}

/** Per channel means then (biased) variances, and the batch-norm and LayerNorm parameter sums. */
function channelOps(tf: Tf): Pick<DeviceOps, 'channelStats' | 'batchnormParamGradient' | 'productSums'> {
  const t = (x: Resident) => tensorOf(tf, x);
  return {
    channelStats: (x, d) =>
      held(tf, () => {
        const loop = heapChannelStats(tf, t(x), d);
        if (loop) return loop;
        const { mean, variance } = tf.moments(byChannel(tf, t(x), d), [0, 2]);
        return tf.concat([mean, variance]);
      }),
    batchnormParamGradient: (a: BatchnormParamGradientArgs) =>
      held(tf, () => {
        const stats = t(a.stats);
        const loop = heapBatchnormParamGradient(tf, t(a.dy), t(a.x), stats, a);
        if (loop) return loop;
        const mean = tf.reshape(tf.slice(stats, [0], [a.channels]), [1, a.channels, 1]);
        const variance = tf.reshape(tf.slice(stats, [a.channels], [a.channels]), [1, a.channels, 1]);
        const xhat = tf.mul(tf.sub(byChannel(tf, t(a.x), a), mean), tf.rsqrt(tf.add(variance, batchnormEpsilon)));
        const dy = byChannel(tf, t(a.dy), a);
        return tf.mul(tf.concat([tf.sum(tf.mul(dy, xhat), [0, 2]), tf.sum(dy, [0, 2])]), tf.scalar(a.scale));
      }),
    productSums: (a, b, d, scale) =>
      held(tf, () => {
        const [x, y] = [byChannel(tf, t(a), d), byChannel(tf, t(b), d)];
        return tf.mul(tf.concat([tf.sum(tf.mul(x, y), [0, 2]), tf.sum(x, [0, 2])]), tf.scalar(scale));
      }),
  };
}

/** The loss as TF.js ops (off the wasm backend): the row's log-softmax at its label, negated. */
function tfjsLoss(tf: Tf, t: (x: Resident) => TfCore.Tensor1D, { logits, labels, rows, classes }: DeviceLossArgs) {
  // gather, not oneHot: TF.js's oneHot refuses a depth of 1 (a one-class head is legal here).
  const logp = tf.reshape(tf.logSoftmax(tf.reshape(t(logits), [rows, classes])), [rows * classes]);
  const rowStart = tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(classes, 'int32'));
  return tf.neg(tf.gather(logp, tf.add(rowStart, tf.cast(t(labels), 'int32'))));
}

/** (softmax(logits[r]) - onehot(labels[r])) / rows as TF.js ops (off the wasm backend). */
function tfjsLossGradient(tf: Tf, t: (x: Resident) => TfCore.Tensor1D, a: DeviceLossArgs) {
  const { logits, labels, rows, classes } = a;
  const columns = tf.reshape(tf.range(0, classes, 1, 'int32'), [1, classes]);
  const onehot = tf.cast(tf.equal(columns, tf.reshape(tf.cast(t(labels), 'int32'), [rows, 1])), 'float32');
  const p = tf.softmax(tf.reshape(t(logits), [rows, classes]));
  return tf.reshape(tf.div(tf.sub(p, onehot), tf.scalar(rows)), [-1]);
}

/** Buffers up to this many values get their non-finite flag from a JS loop (the MLP's 2,570-value output layer). */
const SMALL_FLAG = 16_384;

/** 1 where a value is NaN or infinite (x * 0 is NaN exactly there), else 0. */
function nonFiniteIn(a: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * 0;
  return Number.isNaN(sum) ? 1 : 0;
}

/** The loss, its gradient, the gather by a device index map, sums and non-finite counts. */
function readOps(tf: Tf): Pick<DeviceOps, 'gather' | 'crossEntropy' | 'crossEntropyGradient' | 'sum' | 'nonFinite'> {
  const t = (x: Resident) => tensorOf(tf, x);
  return {
    gather: (x, index, scale) =>
      held(tf, () => {
        const at = tf.cast(t(index), 'int32');
        // -1 reads the zero appended after x.
        const safe = tf.where(tf.less(at, 0), tf.fill(at.shape, x.length, 'int32'), at);
        return tf.mul(tf.gather(tf.concat([t(x), tf.zeros([1])]), safe), tf.scalar(scale));
      }),
    crossEntropy: (a: DeviceLossArgs) =>
      held(tf, () => heapLoss(tf, t(a.logits), t(a.labels), a) ?? tfjsLoss(tf, t, a)),
    crossEntropyGradient: (a: DeviceLossArgs) =>
      held(tf, () => heapLossGradient(tf, t(a.logits), t(a.labels), a) ?? tfjsLossGradient(tf, t, a)),
    sum: (x) => held(tf, () => tf.reshape(tf.sum(t(x)), [1])),
    // sum(x * 0) is 0 where every value is finite and NaN otherwise: one pass (0.2 ms over the MLP's
    // 200,960 parameters; a count of |x| < 3e38 failures took 1.56 ms), so a flag of 0 or 1.
    nonFinite: (x) =>
      held(tf, () => {
        const v = t(x);
        // A small buffer: one JS loop (the same flag) where the five TF.js calls cost more than its values.
        const loop = v.size <= SMALL_FLAG ? heapMap(tf, [v], [1], (out, [a]) => (out[0] = nonFiniteIn(a!))) : undefined;
        return loop ?? tf.reshape(tf.cast(tf.isNaN(tf.sum(tf.mul(v, tf.scalar(0)))), 'float32'), [1]);
      }),
  };
}

const noNoise = (what: string) => (): never => {
  throw new Error(
    `tfjs-wasm device ops: ${what} (tfjs-wasm draws noise on the host; noisy steps keep their state there)`,
  );
};

export function tfjsDeviceOps(tf: Tf): DeviceOps {
  return {
    covers: 'no-noise',
    ...layoutOps(tf),
    ...channelOps(tf),
    ...readOps(tf),
    signWords: noNoise('no sign words on the device'),
    signErrorSignal: noNoise('no error signal from sign words on the device'),
    errorSignal: noNoise('no error signal on the device'),
    matmulCopies: noNoise('no perturbed copies (ES/AES) on the device'),
    biasActivationCopies: noNoise('no perturbed copies (ES/AES) on the device'),
    batchnormCopies: noNoise('no perturbed copies (ES/AES) on the device'),
    conv2dCopies: noNoise('no perturbed copies (ES/AES) on the device'),
    layernormCopies: noNoise('no perturbed copies (ES/AES) on the device'),
    classTokenCopies: noNoise('no perturbed copies (ES/AES) on the device'),
    antithetic: noNoise('no antithetic noise on the device'),
    packSigns: noNoise('no sign words on the device'),
  };
}

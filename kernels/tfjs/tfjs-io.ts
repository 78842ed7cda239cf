// How tensors enter and leave TF.js for the tfjs-wasm kernels: the host io uploads host arrays and
// reads every result back (the plain kernel table); the resident io also takes tfjs-wasm handles
// (device-tensor.ts; reshaped in place, no copy) and keeps results in TF.js as handles (the
// resident table), so a chain of kernels moves no data between them. Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import { DeviceTensor, type DeviceStorage, isDeviceTensor } from '../device-tensor.js';
import type { NumArray } from '../names.js';
import { heapUpload, heapViews } from './tfjs-heap.js';

type Tf = typeof TfCore;
/** A kernel's float input: a host array, or (resident io only) a tfjs-wasm handle. */
type In = NumArray | Int32Array | DeviceTensor;

export interface TfjsIo {
  tensor1d(a: In): TfCore.Tensor1D;
  tensor2d(a: In, shape: [number, number]): TfCore.Tensor2D;
  tensor3d(a: In, shape: [number, number, number]): TfCore.Tensor3D;
  tensor4d(a: In, shape: [number, number, number, number]): TfCore.Tensor4D;
  /**
   * Runs `fn` in a tidy scope and hands its result out: read back as a fresh Float32Array (host io),
   * or kept in TF.js as a handle (resident io; typed as the host result, see tfjsResidentTable).
   */
  output(fn: () => TfCore.Tensor): Float32Array;
  /** `output` for kernels with several results. */
  outputs(fn: () => TfCore.Tensor[]): Float32Array[];
  /**
   * Results of `sizes` values that `fill` writes in place (native or JS code, no TF.js op), given
   * float32 views of `inputs`: host arrays as they are (converted once where not float32), tfjs-wasm
   * handles as views of the wasm heap taken right before `fill` (an allocation may grow the heap and
   * detach older views; the views are valid during `fill` only). Host io: fresh Float32Arrays;
   * resident io: fresh TF.js tensors as handles, or undefined off TF.js's wasm backend (the caller
   * runs its TF.js ops).
   */
  direct(
    inputs: In[],
    sizes: number[],
    fill: (outs: Float32Array[], ins: Float32Array[]) => void,
  ): Float32Array[] | undefined;
}

export const f32 = (a: NumArray | Int32Array): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));

/** Whether two shapes are the same. */
export const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

function ioWith(
  tf: Tf,
  upload: (a: In) => Float32Array | TfCore.Tensor,
  leave: (t: TfCore.Tensor) => Float32Array,
  direct: TfjsIo['direct'],
): TfjsIo {
  // Handles used as they are (a reshape to their own shape is skipped: each TF.js call costs 10-20 us).
  const asIs = new Set<TfCore.Tensor>();
  const make = (a: In, shape: number[]): TfCore.Tensor => {
    // A float64 or int32 host array goes into the wasm memory in one pass (tfjs-heap.ts).
    const direct = a instanceof Float64Array || a instanceof Int32Array ? heapUpload(tf, a, shape) : undefined;
    if (direct) return direct;
    const v = upload(a);
    if (v instanceof Float32Array) return tf.tensor(v, shape);
    if (!sameShape(v.shape, shape)) return tf.reshape(v, shape);
    asIs.add(v);
    return v;
  };
  const outputs = (fn: () => TfCore.Tensor[]): Float32Array[] => {
    asIs.clear();
    // A result that is an input handle itself is copied, so the two handles never share a tensor.
    const results = tf.tidy(() => fn().map((t) => (asIs.has(t) ? tf.clone(t) : t)));
    asIs.clear();
    return results.map(leave);
  };
  return {
    tensor1d: (a) => make(a, [a.length]) as TfCore.Tensor1D,
    tensor2d: (a, shape) => make(a, shape) as TfCore.Tensor2D,
    tensor3d: (a, shape) => make(a, shape) as TfCore.Tensor3D,
    tensor4d: (a, shape) => make(a, shape) as TfCore.Tensor4D,
    output: (fn) => outputs(() => [fn()])[0]!,
    outputs,
    direct,
  };
}

function hostOnly(a: In): Float32Array {
  if (isDeviceTensor(a))
    throw new Error('tfjs-wasm: a device handle reached the host kernel table (the registry downloads handles for it)');
  return f32(a);
}

/** Host arrays in, host arrays out: every call uploads its inputs and reads its result back. */
export function hostIo(tf: Tf): TfjsIo {
  const leave = (t: TfCore.Tensor): Float32Array => {
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  };
  return ioWith(tf, hostOnly, leave, (inputs, sizes, fill) => {
    const outs = sizes.map((n) => new Float32Array(n));
    fill(outs, inputs.map(hostOnly));
    return outs;
  });
}

const tfjsStorage: DeviceStorage<TfCore.Tensor> = {
  read: (t) => t.dataSync() as Float32Array,
  release: (t) => t.dispose(),
};

/** A TF.js tensor as a tfjs-wasm handle (disposing the handle disposes the tensor). */
export function tfjsHandle(t: TfCore.Tensor): DeviceTensor {
  return new DeviceTensor('tfjs-wasm', t.size, t, tfjsStorage);
}

/** Handles in and out: a result stays in TF.js until its handle is disposed. */
export function residentIo(tf: Tf): TfjsIo {
  const upload = (a: In): Float32Array | TfCore.Tensor => {
    if (!isDeviceTensor(a)) return f32(a);
    if (a.backend !== 'tfjs-wasm')
      throw new Error(`tfjs-wasm: got a ${a.backend} device handle; only tfjs-wasm handles feed these kernels`);
    return a.native as TfCore.Tensor;
  };
  const direct: TfjsIo['direct'] = (inputs, sizes, fill) => {
    const ins = inputs.map(upload);
    const made = heapViews(tf, ins, sizes, fill);
    // The cast is the one place a handle travels under the host result type; tfjsResidentTable re-types the table.
    return made?.map((t) => tfjsHandle(t) as unknown as Float32Array);
  };
  return ioWith(tf, upload, (t) => tfjsHandle(t) as unknown as Float32Array, direct);
}

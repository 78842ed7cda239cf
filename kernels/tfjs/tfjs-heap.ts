// Small element-wise work done in JS directly on TF.js wasm tensors' memory: one output made by the
// backend and filled from views of the inputs, no kernel call. A TF.js kernel call costs 10-20 us of
// JS dispatch whatever its size, so a chain of them over a few thousand values (the loss and its
// gradient, ReLU backward) costs more than one loop over the same values. Off the wasm backend (or
// for a non-float32 input) `heapMap` returns undefined and the caller runs its TF.js ops. Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';

type Tf = typeof TfCore;

/** The parts of TF.js's wasm backend used here (public methods of its BackendWasm). */
interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): TfCore.TensorInfo;
  typedArrayFromHeap(t: TfCore.TensorInfo): Float32Array;
}

/**
 * A fresh float32 tensor of `shape` whose values `fill` writes, given views of `inputs`' values (valid
 * during `fill` only), or undefined where the tensors are not float32 wasm tensors.
 */
export function heapMap(
  tf: Tf,
  inputs: TfCore.Tensor[],
  shape: number[],
  fill: (out: Float32Array, ins: Float32Array[]) => void,
): TfCore.Tensor | undefined {
  if (tf.getBackend() !== 'wasm' || inputs.some((x) => x.dtype !== 'float32')) return undefined;
  const heap = tf.backend() as unknown as WasmHeap;
  const out = heap.makeOutput(shape, 'float32');
  // The views are taken after makeOutput: an allocation may grow the heap and detach older views.
  fill(
    heap.typedArrayFromHeap(out),
    inputs.map((x) => heap.typedArrayFromHeap(x)),
  );
  return tf.engine().makeTensorFromTensorInfo(out);
}

/**
 * Host values written straight into a fresh float32 tensor's wasm memory (each rounded to float32 as
 * Float32Array.from does), or undefined off the wasm backend or where `shape` does not hold them. A
 * float64 batch went through a float32 copy first: 0.089 -> 0.033 ms of CPU for the MLP's 64 x 784.
 */
export function heapUpload(tf: Tf, values: Float64Array | Int32Array, shape: number[]): TfCore.Tensor | undefined {
  if (tf.getBackend() !== 'wasm' || shape.reduce((a, b) => a * b, 1) !== values.length) return undefined;
  const heap = tf.backend() as unknown as WasmHeap;
  const out = heap.makeOutput(shape, 'float32');
  heap.typedArrayFromHeap(out).set(values);
  return tf.engine().makeTensorFromTensorInfo(out);
}

/**
 * Fresh float32 tensors of `sizes` values that `fill` writes, given float32 views of `inputs`: host
 * arrays as they are, tensors as views of the wasm heap taken after every output is allocated (an
 * allocation may grow the heap and detach older views). Undefined off the wasm backend or where an
 * input tensor is not float32. `fill` may be native code (onnxruntime reads and writes the views in place).
 */
export function heapViews(
  tf: Tf,
  inputs: (Float32Array | TfCore.Tensor)[],
  sizes: number[],
  fill: (outs: Float32Array[], ins: Float32Array[]) => void,
): TfCore.Tensor[] | undefined {
  const tensors = inputs.filter((x): x is TfCore.Tensor => !(x instanceof Float32Array));
  if (tf.getBackend() !== 'wasm' || tensors.some((x) => x.dtype !== 'float32')) return undefined;
  const heap = tf.backend() as unknown as WasmHeap;
  const outs = sizes.map((n) => tf.engine().makeTensorFromTensorInfo(heap.makeOutput([n], 'float32')));
  try {
    fill(
      outs.map((t) => heap.typedArrayFromHeap(t)),
      inputs.map((x) => (x instanceof Float32Array ? x : heap.typedArrayFromHeap(x))),
    );
  } catch (err) {
    tf.dispose(outs);
    throw err;
  }
  return outs;
}

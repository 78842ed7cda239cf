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

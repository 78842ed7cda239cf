// 2-D transposes for the tfjs-wasm matmuls: a matrix with more rows than columns is transposed by one
// JS loop over its wasm memory (tfjs-heap.ts), where TF.js wasm's Transpose is slow: 0.083 against
// 0.034 ms for the MLP's 256 x 64 forward product, 0.0033 against 0.0017 ms at 64 x 10 (CPU, median of
// 11 x 100 calls); wider matrices (64 x 784: 0.076 against 0.095 ms) stay with TF.js. A transpose only
// moves values, so both give the same bits. Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import { heapMap } from './tfjs-heap.js';

type Tf = typeof TfCore;

/** The transpose of a 2-D tensor. */
export function transpose2d(tf: Tf, x: TfCore.Tensor): TfCore.Tensor2D {
  if (x.rank !== 2) throw new Error(`transpose2d: a tensor of shape [${x.shape.join(', ')}], not 2-D`);
  const [rows, cols] = x.shape as [number, number];
  if (rows <= cols) return tf.transpose(x as TfCore.Tensor2D);
  const loop = heapMap(tf, [x], [cols, rows], (out, [from]) => {
    for (let c = 0; c < cols; c++) {
      const at = c * rows;
      for (let r = 0; r < rows; r++) out[at + r] = from![r * cols + c]!;
    }
  });
  return (loop as TfCore.Tensor2D | undefined) ?? tf.transpose(x as TfCore.Tensor2D);
}

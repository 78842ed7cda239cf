// 2-D transposes for the tfjs-wasm matmuls: a matrix with more rows than columns, and 32 columns or more,
// is transposed by one JS loop over its wasm memory (tfjs-heap.ts), writing the result in order, where
// TF.js wasm's Transpose is slow. CPU ms, median of 11 x 100 calls, TF.js against the loop: 256 x 64 (the
// MLP's forward product) 0.083 / 0.034, 512 x 64 0.167 / 0.071, 2048 x 32 0.382 / 0.138, 1024 x 256
// 1.96 / 0.63, 4096 x 256 (an LR or ALR error signal, N*K rows) 8.25 / 2.92; at 4096 x 10 the loop
// loses (0.032 / 0.081), and wider matrices stay with TF.js (64 x 784: 0.076 / 0.095). A transpose
// only moves values, so both give the same bits. Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import { heapMap } from './tfjs-heap.js';

type Tf = typeof TfCore;

/** The transpose of a 2-D tensor. */
export function transpose2d(tf: Tf, x: TfCore.Tensor): TfCore.Tensor2D {
  if (x.rank !== 2) throw new Error(`transpose2d: a tensor of shape [${x.shape.join(', ')}], not 2-D`);
  const [rows, cols] = x.shape as [number, number];
  if (rows <= cols || cols < 32) return tf.transpose(x as TfCore.Tensor2D);
  const loop = heapMap(tf, [x], [cols, rows], (out, [from]) => {
    for (let c = 0; c < cols; c++) {
      const at = c * rows;
      for (let r = 0; r < rows; r++) out[at + r] = from![r * cols + c]!;
    }
  });
  return (loop as TfCore.Tensor2D | undefined) ?? tf.transpose(x as TfCore.Tensor2D);
}

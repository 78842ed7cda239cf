// The tfjs-wasm backend's three convolutions on onnxruntime (kernels/ort/ort-conv.ts) where it loads:
// NCHW in and out with no transposes, reading TF.js's wasm memory and writing a fresh TF.js tensor's
// memory in place (tfjs-heap.ts), so host and resident calls alike stay TF.js tensors around the
// native call. ORT runs at the backend's thread count: its intra-op threads, not the worker pool's
// split by images, use the second core. Measured at 1 thread, CPU ms per call, ORT against the TF.js
// path (XNNPACK NHWC with transposes): resnet5's 32 -> 32 layer at 16x16, N = 32: forward 1.2 / 4.2,
// data gradient 2.4 / 4.4, weight gradient 3.7 / 8.2; at N = 512 (ALR's rows) 26 / 74, 29 / 80,
// 81 / 151. Undefined off the wasm backend (the caller's TF.js ops then run). Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { ConvDims } from '../names.js';
import { ortConv2d, ortConvBackwardData, ortConvBackwardWeights } from '../ort/ort-conv.js';
import { ortRunner, type OrtRunner } from '../ort/ort-session.js';
import { convDims } from '../reference/conv-dims.js';
import { heapMap } from './tfjs-heap.js';
import { tfjsThreads } from './tfjs-worker-pool.js';

type Tf = typeof TfCore;

/** The runner for the backend's convolutions: ORT at tfjsThreads() threads, or null (ALRFLOW_ORT=0, or ORT does not load). */
export function tfjsConvRunner(): OrtRunner | null {
  return ortRunner(tfjsThreads());
}

function outShape(d: ConvDims): number[] {
  const { outHeight, outWidth } = convDims('conv2d', d);
  return [d.batch, d.outChannels, outHeight, outWidth];
}

/** conv2d of NCHW x and [O, C, k, k] weights, NCHW out. */
export function ortConvForward(
  tf: Tf,
  ort: OrtRunner,
  x: TfCore.Tensor,
  weights: TfCore.Tensor,
  d: ConvDims,
): TfCore.Tensor | undefined {
  return heapMap(tf, [x, weights], outShape(d), (out, [xs, ws]) => ortConv2d(ort, xs!, ws!, out, d));
}

/** The data gradient [N, C, H, W] from dy [N, O, OH, OW] and weights [O, C, k, k]. */
export function ortConvData(
  tf: Tf,
  ort: OrtRunner,
  dy: TfCore.Tensor,
  weights: TfCore.Tensor,
  d: ConvDims,
): TfCore.Tensor | undefined {
  const shape = [d.batch, d.inChannels, d.height, d.width];
  return heapMap(tf, [dy, weights], shape, (out, [dys, ws]) => ortConvBackwardData(ort, dys!, ws!, out, d));
}

/** [weights [O, C, k, k], biases [O]] of the gradient from dy [N, O, OH, OW] and x [N, C, H, W]. */
export function ortConvWeights(
  tf: Tf,
  ort: OrtRunner,
  dy: TfCore.Tensor,
  x: TfCore.Tensor,
  d: ConvDims,
): TfCore.Tensor[] | undefined {
  const biases = new Float32Array(d.outChannels);
  const shape = [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize];
  const weights = heapMap(tf, [dy, x], shape, (out, [dys, xs]) =>
    ortConvBackwardWeights(ort, dys!, xs!, out, biases, d),
  );
  return weights && [weights, tf.tensor1d(biases)];
}

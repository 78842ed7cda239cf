// The tfjs-wasm backend's three convolutions and max pooling on onnxruntime (kernels/ort/ort-conv.ts,
// MaxPool) where it loads: NCHW in and out with no transposes, through io.direct (tfjs-io.ts): host
// arrays read and fresh Float32Arrays written in place, resident handles as views of TF.js's wasm
// memory and results written into fresh TF.js tensors, so no TF.js op and no copy sits around the
// native call. ORT runs at the backend's thread count: its intra-op threads, not the worker pool's
// split by images, use the second core. Measured at 1 thread, CPU ms per call, ORT against the TF.js
// path (XNNPACK NHWC with transposes): resnet5's 32 -> 32 layer at 16x16, N = 32: forward 1.2 / 4.2,
// data gradient 2.4 / 4.4, weight gradient 3.7 / 8.2; at N = 512 (ALR's rows) 26 / 74, 29 / 80,
// 81 / 151. Max pooling at 512 rows: [512, 32, 32, 32] 19.1 against the heap scan's 99.5 with its
// copies (tfjs-heap-pool.ts), [512, 64, 16, 16] 11.5 / 44.3. MaxPool's values are the window maxima
// (padded taps never win), the reference's except that a window whose maximum is a zero of both signs
// may give either sign. A resident x (BP's step) keeps the heap scan: it records the winners its
// backward scatters dy to, which a MaxPool forward would make it scan for again. Where io.direct
// cannot run (a resident call off TF.js's wasm backend) the TF.js kernel runs. Not the TF.js kernels.
import { isDeviceTensor } from '../device-tensor.js';
import type { KernelTable } from '../names.js';
import { ortConv2d, ortConvBackwardData, ortConvBackwardWeights } from '../ort/ort-conv.js';
import { ortRunner, type OrtRunner } from '../ort/ort-session.js';
import { convDims } from '../reference/conv-dims.js';
import { poolDims } from '../reference/pool-dims.js';
import type { TfjsIo } from './tfjs-io.js';
import { tfjsThreads } from './tfjs-worker-pool.js';

export type OrtConvKernels = Pick<KernelTable, 'conv2d' | 'conv2d-backward-data' | 'conv2d-backward-weights' | 'pool'>;

/** The runner for the backend's native kernels: ORT at tfjsThreads() threads, or null (ALRFLOW_ORT=0, or ORT does not load). */
export function tfjsOrtRunner(): OrtRunner | null {
  return ortRunner(tfjsThreads());
}

/** The kernels on `ort`, or `fallback`'s where io.direct cannot run (and for average pooling). */
export function ortConvKernels(io: TfjsIo, ort: OrtRunner, fallback: OrtConvKernels): OrtConvKernels {
  return {
    conv2d: async (a) => {
      const d = a.dims;
      const { outHeight, outWidth } = convDims('conv2d', d);
      const size = d.batch * d.outChannels * outHeight * outWidth;
      const out = io.direct([a.x, a.weights], [size], ([y], [x, w]) => ortConv2d(ort, x!, w!, y!, d));
      return out ? out[0]! : fallback.conv2d(a);
    },
    'conv2d-backward-data': async (a) => {
      const d = a.dims;
      convDims('conv2d-backward-data', d);
      const size = d.batch * d.inChannels * d.height * d.width;
      const out = io.direct([a.dy, a.weights], [size], ([dx], [dy, w]) => ortConvBackwardData(ort, dy!, w!, dx!, d));
      return out ? out[0]! : fallback['conv2d-backward-data'](a);
    },
    'conv2d-backward-weights': async (a) => {
      const d = a.dims;
      convDims('conv2d-backward-weights', d);
      const sizes = [d.outChannels * d.inChannels * d.kernelSize ** 2, d.outChannels];
      // A float64 dy (ALR's error signal) is read by the gradient's own grid loop: no float32 copy first.
      const wide = a.dy instanceof Float64Array ? a.dy : undefined;
      const out = wide
        ? io.direct([a.x], sizes, ([gw, gb], [x]) => ortConvBackwardWeights(ort, wide, x!, gw!, gb!, d))
        : io.direct([a.dy, a.x], sizes, ([gw, gb], [dy, x]) => ortConvBackwardWeights(ort, dy!, x!, gw!, gb!, d));
      return out ? { weights: out[0]!, biases: out[1]! } : fallback['conv2d-backward-weights'](a);
    },
    pool: async (a) => {
      const d = a.dims;
      // A handle's pool is the resident BP step's: the heap scan keeps the winners its backward scatters to.
      if (a.op !== 'max' || isDeviceTensor(a.x)) return fallback.pool(a);
      const { outHeight, outWidth } = poolDims('pool', d);
      const p = d.padding ?? 0;
      const node = {
        op: 'MaxPool',
        inputs: [[d.rows, d.channels, d.height, d.width]],
        output: [d.rows, d.channels, outHeight, outWidth],
        attrs: { kernel_shape: [d.size, d.size], strides: [d.stride, d.stride], pads: [p, p, p, p] },
      };
      const out = io.direct([a.x], [d.rows * d.channels * outHeight * outWidth], ([y], [x]) => ort.run(node, [x!], y!));
      return out ? out[0]! : fallback.pool(a);
    },
  };
}

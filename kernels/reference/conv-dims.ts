// Dimensions of a 2-D convolution on NCHW float64 buffers, shared by the conv reference kernels.
import { validateDims } from './validate.js';

export interface ConvDims {
  batch: number;
  inChannels: number;
  height: number;
  width: number;
  outChannels: number;
  kernelSize: number;
  stride: number;
  padding: number;
}

/** A conv layer's geometry applied to `batch` images of height x width: the dims its kernels take. */
export function convDimsOf(
  geometry: Pick<ConvDims, 'inChannels' | 'outChannels' | 'kernelSize' | 'stride' | 'padding'>,
  batch: number,
  height: number,
  width: number,
): ConvDims {
  const { inChannels, outChannels, kernelSize, stride, padding } = geometry;
  return { batch, inChannels, height, width, outChannels, kernelSize, stride, padding };
}

/** Validates the dims and returns the output height and width. */
export function convDims(kernel: string, d: ConvDims): { outHeight: number; outWidth: number } {
  const { padding, ...positive } = d;
  validateDims(kernel, positive);
  validateDims(kernel, { padding }, ['padding']);
  const outHeight = Math.floor((d.height + 2 * d.padding - d.kernelSize) / d.stride) + 1;
  const outWidth = Math.floor((d.width + 2 * d.padding - d.kernelSize) / d.stride) + 1;
  validateDims(kernel, { outHeight, outWidth });
  return { outHeight, outWidth };
}

/**
 * The (output position, input position) pairs each kernel tap (u, v) connects, padding already
 * excluded, in the order p then q: outIndex = p * outWidth + q, inIndex = iy * width + ix with
 * iy = p * stride + u - padding. The three conv kernels (forward, input and weight gradient) walk
 * the same taps and differ only in what they accumulate.
 */
export interface ConvTaps {
  outHeight: number;
  outWidth: number;
  /** Per tap t = u * kernelSize + v. */
  outIndex: Int32Array[];
  inIndex: Int32Array[];
}

export function convTaps(kernel: string, d: ConvDims): ConvTaps {
  const { outHeight, outWidth } = convDims(kernel, d);
  const outIndex: Int32Array[] = [];
  const inIndex: Int32Array[] = [];
  for (let u = 0; u < d.kernelSize; u++) {
    for (let v = 0; v < d.kernelSize; v++) {
      const outs: number[] = [];
      const ins: number[] = [];
      for (let p = 0; p < outHeight; p++) {
        const iy = p * d.stride + u - d.padding;
        if (iy < 0 || iy >= d.height) continue;
        for (let q = 0; q < outWidth; q++) {
          const ix = q * d.stride + v - d.padding;
          if (ix < 0 || ix >= d.width) continue;
          outs.push(p * outWidth + q);
          ins.push(iy * d.width + ix);
        }
      }
      outIndex.push(Int32Array.from(outs));
      inIndex.push(Int32Array.from(ins));
    }
  }
  return { outHeight, outWidth, outIndex, inIndex };
}

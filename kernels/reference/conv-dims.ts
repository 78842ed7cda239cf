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

// Dimensions of 2-D pooling on NCHW float64 buffers ([rows, channels, height, width]), no padding.
import { validateDims } from './validate.js';

export interface PoolDims {
  rows: number;
  channels: number;
  height: number;
  width: number;
  size: number;
  stride: number;
}

export function poolDims(kernel: string, d: PoolDims): { outHeight: number; outWidth: number } {
  validateDims(kernel, { ...d });
  const outHeight = Math.floor((d.height - d.size) / d.stride) + 1;
  const outWidth = Math.floor((d.width - d.size) / d.stride) + 1;
  validateDims(kernel, { outHeight, outWidth });
  return { outHeight, outWidth };
}

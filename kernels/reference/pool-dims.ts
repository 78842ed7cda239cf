// Dimensions of 2-D pooling on NCHW float64 buffers ([rows, channels, height, width]). Max pooling may
// pad every side by `padding` positions that never win (ONNX MaxPool's pads, torchvision's stem);
// average pooling never pads.
import { InvalidInputError } from '../../src/errors.js';
import { validateDims } from './validate.js';

export interface PoolDims {
  rows: number;
  channels: number;
  height: number;
  width: number;
  size: number;
  stride: number;
  /** Positions added on every side (max pooling only; default 0). */
  padding?: number;
}

export function poolDims(
  kernel: string,
  d: PoolDims,
  op: 'max' | 'avg' = 'max',
): { outHeight: number; outWidth: number } {
  const { padding = 0, ...rest } = d;
  validateDims(kernel, { ...rest, padding }, ['padding']);
  if (op === 'avg' && padding > 0)
    throw new InvalidInputError(`${kernel}: padding = ${padding}; allowed: 0 for average pooling`);
  if (padding >= d.size)
    throw new InvalidInputError(`${kernel}: padding = ${padding}; allowed: less than the window size ${d.size}`);
  const outHeight = Math.floor((d.height + 2 * padding - d.size) / d.stride) + 1;
  const outWidth = Math.floor((d.width + 2 * padding - d.size) / d.stride) + 1;
  validateDims(kernel, { outHeight, outWidth });
  return { outHeight, outWidth };
}

// Dimensions of 2-D pooling on NCHW float64 buffers ([rows, channels, height, width]). Either pooling may
// pad every side by `padding` positions: for max they never win (ONNX MaxPool's pads, torchvision's
// stem); for average they count as zeros in the divisor when countIncludePad, else the divisor is the
// window's in-bounds taps (ONNX AveragePool's count_include_pad 1 or 0).
import { InvalidInputError } from '../../src/errors.js';
import { validateDims } from './validate.js';

export interface PoolDims {
  rows: number;
  channels: number;
  height: number;
  width: number;
  size: number;
  stride: number;
  /** Positions added on every side (default 0). */
  padding?: number;
  /** Average pooling: divide by size * size (true) or by the window's in-bounds taps (false, the default). */
  countIncludePad?: boolean;
}

/** The divisor of average pooling's window at output (p, q): size^2, or its in-bounds taps. */
export function avgDivisor(d: PoolDims, p: number, q: number): number {
  const pad = d.padding ?? 0;
  if (d.countIncludePad || pad === 0) return d.size * d.size;
  const span = (start: number, extent: number): number => Math.min(start + d.size, extent) - Math.max(start, 0);
  return span(p * d.stride - pad, d.height) * span(q * d.stride - pad, d.width);
}

export function poolDims(kernel: string, d: PoolDims): { outHeight: number; outWidth: number } {
  const { padding = 0, countIncludePad, ...rest } = d;
  validateDims(kernel, { ...rest, padding }, ['padding']);
  if (countIncludePad !== undefined && typeof countIncludePad !== 'boolean')
    throw new InvalidInputError(`${kernel}: countIncludePad = ${String(countIncludePad)}; allowed: true or false`);
  if (padding >= d.size)
    throw new InvalidInputError(`${kernel}: padding = ${padding}; allowed: less than the window size ${d.size}`);
  const outHeight = Math.floor((d.height + 2 * padding - d.size) / d.stride) + 1;
  const outWidth = Math.floor((d.width + 2 * padding - d.size) / d.stride) + 1;
  validateDims(kernel, { outHeight, outWidth });
  return { outHeight, outWidth };
}

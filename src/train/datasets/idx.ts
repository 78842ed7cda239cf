// Parser of the IDX format MNIST and Fashion-MNIST ship in: a big-endian header whose magic number's
// low byte is the number of dimensions, then uint8 data. Only the unsigned-byte type is accepted.
import { InvalidInputError } from '../../errors.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

export function readIdx(buffer: Uint8Array, where: string): IdxArray {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer.byteLength < 4 || view.getUint16(0) !== 0 || buffer[2] !== UNSIGNED_BYTE) {
    throw new InvalidInputError(`${where}: not an unsigned-byte IDX file (bad magic number); re-install the dataset`);
  }
  const ndim = buffer[3]!;
  const headerBytes = 4 + 4 * ndim;
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  if (buffer.byteLength - headerBytes !== expected) {
    throw new InvalidInputError(
      `${where}: header says [${dims.join(', ')}] = ${expected} bytes, file has ${buffer.byteLength - headerBytes}; the file is truncated or corrupt`,
    );
  }
  return { dims, data: buffer.subarray(headerBytes) };
}

/** Images /255, then standardised with the given mean and standard deviation (MNIST: 0.1307, 0.3081). */
export function normalisePixels(
  pixels: Uint8Array,
  mean: number,
  std: number,
  count: number,
  perSample: number,
): Float32Array {
  const out = new Float32Array(count * perSample);
  for (let i = 0; i < out.length; i++) out[i] = (pixels[i]! / 255 - mean) / std;
  return out;
}

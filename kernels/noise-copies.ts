// noise-inject's `copies` argument (z holds rows / copies rows; output row r reads z row
// floor(r / copies)) for kernels that read a full z: the z rows repeated on the host, as the caller
// once did before every call. The host kernels of the CPU backends read the short z directly
// (host-noise.ts); the reference and gpu.js kernels take it through here.
import type { NoiseInjectArgs, NumArray } from './names.js';

/** `a` with z's rows repeated `copies` times and copies 1 (the same call when copies is 1). */
export function withRepeatedZ<
  A extends Pick<NoiseInjectArgs, 'rows' | 'channels' | 'spatial' | 'copies'> & { z: unknown },
>(a: A): A {
  const copies = a.copies ?? 1;
  if (copies === 1) return a;
  const z = a.z as NumArray;
  if (!(z instanceof Float32Array || z instanceof Float64Array))
    throw new Error('noise-inject: copies > 1 needs z as a host array (a held z is passed with its rows repeated)');
  const units = a.channels * a.spatial;
  const out = z instanceof Float32Array ? new Float32Array(a.rows * units) : new Float64Array(a.rows * units);
  for (let r = 0; r < a.rows; r++) {
    const from = Math.floor(r / copies) * units;
    out.set(z.subarray(from, from + units), r * units);
  }
  return { ...a, z: out, copies: 1 };
}

// Float64 reference row copies for the K noisy copies of each sample, which sit adjacent
// (row = sample * copies + copy): repeatRows makes them, copySum folds them back.

/** [samples, width] -> [samples * copies, width]. */
export function repeatRows(
  x: ArrayLike<number> & { subarray(begin: number, end: number): ArrayLike<number> },
  samples: number,
  copies: number,
): Float64Array {
  const width = x.length / samples;
  const out = new Float64Array(x.length * copies);
  for (let n = 0; n < samples; n++) {
    const row = x.subarray(n * width, (n + 1) * width);
    for (let k = 0; k < copies; k++) out.set(row, (n * copies + k) * width);
  }
  return out;
}

/** [samples * copies, width] -> [samples, width]: each sample's copies summed. */
export function copySum(x: ArrayLike<number>, samples: number, copies: number): Float64Array {
  const width = x.length / (samples * copies);
  const out = new Float64Array(samples * width);
  for (let n = 0; n < samples; n++) {
    for (let k = 0; k < copies; k++) {
      const src = (n * copies + k) * width;
      for (let i = 0; i < width; i++) out[n * width + i]! += x[src + i]!;
    }
  }
  return out;
}

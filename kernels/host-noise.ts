// noise-inject on the host CPU for the CPU backends (tfjs-wasm, gpu.js webasm and cpu): eps comes
// from rng.ts's block generator (fillNormals: the reference draws bit for bit, prefixes hashed once
// per row, no per-draw allocation or validation) and out = z + sigma[c] * eps is formed in the same
// pass, rounded once to float32. GPU backends generate eps inside their kernels instead
// (gpujs/noise-inject.ts); this file is not used there.
import { fillNormals } from '../src/estimators/rng.js';
import type { NoiseInjectArgs } from './names.js';

// One float64 scratch for eps, grown on demand: a training step asks for ~10^6 draws per layer and
// allocating 8 MB per call shows up in the step time.
let scratch = new Float64Array(0);

function epsScratch(length: number): Float64Array {
  if (scratch.length < length) scratch = new Float64Array(length);
  return scratch.subarray(0, length);
}

/** out[r, c, s] = z[r, c, s] + sigma[c] * eps(seed, step, layer, rowOffset + r, c * spatial + s), as float32. */
export function hostNoiseInject(a: NoiseInjectArgs): Float32Array {
  const { z, sigma, rows, channels, spatial } = a;
  const units = channels * spatial;
  const eps = epsScratch(rows * units);
  fillNormals(eps, { seed: a.seed, step: a.step, layer: a.layer, rowOffset: a.rowOffset, rows, units });
  const out = new Float32Array(rows * units);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const s = sigma[c]!;
      const base = (r * channels + c) * spatial;
      for (let i = base; i < base + spatial; i++) out[i] = z[i]! + s * eps[i]!;
    }
  }
  return out;
}

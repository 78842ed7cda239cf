// noise-inject on the host CPU for the CPU backends (tfjs-wasm, gpu.js webasm and cpu): eps is
// rng.ts's draw for (seed, step, layer, row, unit) bit for bit, and out = z + sigma[c] * eps is
// formed in the same pass, rounded once to float32. The integer hash runs 4 units at a time on wasm
// SIMD (rng-simd.ts) when the engine has it, else through rng.ts's scalar block generator; Box-Muller
// is rng.ts's own normalFromStates either way. GPU backends generate eps inside their kernels
// instead (gpujs/noise-inject.ts); this file is not used there.
import { checkNoiseBlock, fillNormals, normalFromStates, rowHashState } from '../src/estimators/rng.js';
import type { NoiseInjectArgs, NumArray } from './names.js';
import { rngSimd } from './rng-simd.js';

// One float64 scratch for eps on the scalar path, grown on demand: a training step asks for ~10^6
// draws per layer and allocating 8 MB per call shows up in the step time.
let scratch = new Float64Array(0);

function epsScratch(length: number): Float64Array {
  if (scratch.length < length) scratch = new Float64Array(length);
  return scratch.subarray(0, length);
}

/** out[r, c, s] = z[r, c, s] + sigma[c] * eps(seed, step, layer, rowOffset + r, c * spatial + s), as float32. */
export function hostNoiseInject(a: NoiseInjectArgs, useSimd = true): Float32Array {
  const { rows, channels, spatial } = a;
  const units = channels * spatial;
  checkNoiseBlock({ seed: a.seed, step: a.step, layer: a.layer, rowOffset: a.rowOffset, rows, units }, rows * units);
  const out = new Float32Array(rows * units);
  const simd = useSimd ? rngSimd() : null;
  if (simd === null) {
    const eps = epsScratch(rows * units);
    fillNormals(eps, { seed: a.seed, step: a.step, layer: a.layer, rowOffset: a.rowOffset, rows, units });
    for (let r = 0; r < rows; r++) addRow(out, a.z, a.sigma, r * units, channels, spatial, (u) => eps[r * units + u]!);
    return out;
  }
  const { z, sigma } = a;
  for (let r = 0; r < rows; r++) {
    const { s1, s2 } = simd.row(rowHashState(a.seed, a.step, a.layer, a.rowOffset + r), units);
    const base = r * units;
    // Inlined rather than through addRow: a closure per draw costs ~30% at 10^6 draws.
    for (let c = 0, u = 0; c < channels; c++) {
      const sc = sigma[c]!;
      for (let end = u + spatial; u < end; u++) out[base + u] = z[base + u]! + sc * normalFromStates(s1[u]!, s2[u]!);
    }
  }
  return out;
}

/** out[base + u] = z[base + u] + sigma[u / spatial] * eps(u) for the units of one row (scalar path). */
function addRow(out: Float32Array, z: NumArray, sigma: NumArray, base: number, channels: number, spatial: number, eps: (u: number) => number): void {
  for (let c = 0, u = 0; c < channels; c++) {
    const s = sigma[c]!;
    for (let end = u + spatial; u < end; u++) out[base + u] = z[base + u]! + s * eps(u);
  }
}

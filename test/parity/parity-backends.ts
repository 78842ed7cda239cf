// Shared setup of the parity suites: which backends work on this machine (every one that does is
// tested; every one that does not is skipped with its reason in the describe name and on the
// console, never silently), the oracle runner, float32-aware comparison and drawn conv shapes. Not a test file.
import fc from 'fast-check';
import { expect } from 'vitest';
import { type BackendAvailability, type BackendName, detectAll } from '../../kernels/backends.js';
import type { NumArray } from '../../kernels/names.js';
import { type KernelRunner, openBackend } from '../../kernels/registry.js';

/** Every backend except the oracle itself, with its availability on this machine. */
export async function backendsUnderTest(): Promise<BackendAvailability[]> {
  const all = await detectAll();
  for (const s of all.filter((b) => !b.works)) console.log(`[parity] backend ${s.backend} skipped: ${s.reason}`);
  return all.filter((b) => b.backend !== 'reference');
}

export function suiteName(s: BackendAvailability): string {
  return s.works ? `${s.backend} (${s.engine})` : `${s.backend} - SKIPPED: ${s.reason}`;
}

const runners = new Map<BackendName, Promise<KernelRunner>>();

/** One runner per backend per test file (gpu.js compiles per shape, so reuse the cache). */
export function runnerFor(backend: BackendName): Promise<KernelRunner> {
  let r = runners.get(backend);
  if (!r) {
    r = openBackend(backend);
    runners.set(backend, r);
  }
  return r;
}

export async function disposeRunners(): Promise<void> {
  for (const r of runners.values()) await (await r).dispose();
  runners.clear();
}

/** Float32-exact random values in [-1, 1) from a small LCG (the values are data, not a test statistic). */
export function f32Data(length: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.fround(s / 2 ** 31 - 1);
  }
  return out;
}

/**
 * Asserts |got - want| <= tol[i] elementwise, where `tol` comes from the float32 error model of
 * the kernel (e.g. (k + 2) * 2^-24 * sum |a||b| for a length-k dot product), and prints the worst
 * ratio error/tolerance on failure.
 */
export function expectClose(got: NumArray, want: NumArray, tol: (i: number) => number, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    const ratio = Number.isNaN(err) ? Infinity : err / tol(i);
    if (ratio > worst) {
      worst = ratio;
      at = i;
    }
  }
  expect(
    worst,
    `${what}: worst error/tolerance at index ${at}: got ${got[at]}, want ${want[at]}, tol ${at >= 0 ? tol(at) : 0}`,
  ).toBeLessThanOrEqual(1);
}

/** The float32 unit roundoff, 2^-24. */
export const U32 = 2 ** -24;

/** Drawn conv dims (any stride, padding, kernel that fits the padded image; 1x1 images too) and a data seed. */
export function convShapes(max: { inChannels: number; side: number; outChannels: number }) {
  return fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      inChannels: fc.integer({ min: 1, max: max.inChannels }),
      height: fc.integer({ min: 1, max: max.side }),
      width: fc.integer({ min: 1, max: max.side }),
      outChannels: fc.integer({ min: 1, max: max.outChannels }),
      kernelSize: fc.integer({ min: 1, max: 4 }),
      stride: fc.integer({ min: 1, max: 3 }),
      padding: fc.integer({ min: 0, max: 2 }),
      seed: fc.nat(),
    })
    .filter((d) => d.height + 2 * d.padding >= d.kernelSize && d.width + 2 * d.padding >= d.kernelSize);
}

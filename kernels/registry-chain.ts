// Which kernel outputs are finite by construction, so that the next kernel of a chain of calls (the
// training runtime's, see KernelRunner.run's `chained`) need not scan them again. Not a kernel.
import type { KernelArgs, KernelName, KernelOutputs } from './names.js';

/** Bounds under which z + sigma * eps cannot reach float32's largest finite value (3.4e38). */
const MAX_ABS_Z = 1e37;
const MAX_SIGMA_EPS = 1e37;
/**
 * A bound on |eps| of the noise kernels: eps = sqrt(-2 ln u) * cos or sin(2 pi u2) with u > 0 a
 * 24-bit uniform (kernels/box-muller.ts), so |eps| <= sqrt(48 ln 2) < 6; 64 leaves room for any u of
 * at least the smallest positive double (sqrt(2 * 745) < 39).
 */
const EPS_BOUND = 64;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/**
 * The output array of a finished call that is finite whenever its arguments passed the registry's
 * checks, else null. noise-inject-signs: out = fround(z + sigma * eps) (float64 arithmetic, rounded
 * once); with |z| <= 1e37 and sigma * |eps| <= 64 sigma <= 1e37 every sum is below 2.1e37 in
 * magnitude, so every stored value is finite. Its z was scanned finite by the checks; the extra
 * max-abs pass reads z and sigma (N rows, not the K-fold output).
 */
export function provenFiniteOutput<K extends KernelName>(
  name: K,
  args: KernelArgs[K],
  out: KernelOutputs[K],
): Float32Array | null {
  if (name !== 'noise-inject-signs') return null;
  const { z, sigma } = args as KernelArgs['noise-inject-signs'];
  const result = (out as KernelOutputs['noise-inject-signs']).out;
  if (!(result instanceof Float32Array)) return null;
  if (!(z instanceof Float32Array || z instanceof Float64Array)) return null;
  if (!(sigma instanceof Float32Array || sigma instanceof Float64Array)) return null;
  return maxAbs(z) <= MAX_ABS_Z && EPS_BOUND * maxAbs(sigma) <= MAX_SIGMA_EPS ? result : null;
}

/** What a runner remembers between chained calls. */
export interface FiniteChain {
  /** The array the call about to run may leave unscanned (null unless `chained`); forgets it. */
  take(chained: boolean): Float32Array | null;
  /** Remembers a chained call's output when provenFiniteOutput proves it finite. */
  produced<K extends KernelName>(chained: boolean, name: K, args: KernelArgs[K], out: KernelOutputs[K]): void;
}

/**
 * The output of the last chained call that provenFiniteOutput proves finite, read once, by the next
 * chained call, whose checks then skip only that array's finiteness scan (its length is still
 * checked). Sound because a skipped scan could not have thrown: the array was finite when produced,
 * and the runtime writes into a kernel's output only by passing it back to that kernel as `reuse`,
 * never between two calls. So every check that throws today throws the same InvalidInputError at the
 * same call, and a run still diverges at the same step with the same text. Any call in between
 * (chained or not) forgets it.
 */
export function finiteChain(): FiniteChain {
  let last: Float32Array | null = null;
  return {
    take(chained) {
      const proven = chained ? last : null;
      last = null;
      return proven;
    },
    produced(chained, name, args, out) {
      if (chained) last = provenFiniteOutput(name, args, out);
    },
  };
}

// The noise generator's version in a checkpoint (kernels/rng.ts NOISE_GENERATOR_VERSION): a run saved
// under another generator (or before checkpoints recorded it) and resumed by this build continues
// with this build's draws, which is a correct run but not the one the old generator would have made.
import { NOISE_GENERATOR_VERSION } from '../../kernels/rng.js';

/** What the checkpoint meta records (absent in checkpoints written before the field existed). */
export interface NoiseGeneratorMeta {
  noiseGenerator?: unknown;
}

function found(recorded: unknown): string {
  if (recorded === undefined)
    return 'records no noise generator version (it was written before checkpoints recorded one: by rng v1, or by rng v2 before the version was recorded)';
  if (Number.isInteger(recorded)) return `was written with noise generator rng v${String(recorded)}`;
  return `records an unknown noise generator version (${JSON.stringify(recorded)})`;
}

/**
 * The warning for resuming `checkpoint` at `step`, or undefined when it was written by this build's
 * generator (then the resumed run is bit-identical to an uninterrupted one).
 */
export function noiseVersionWarning(checkpoint: string, meta: NoiseGeneratorMeta, step: number): string | undefined {
  if (meta.noiseGenerator === NOISE_GENERATOR_VERSION) return undefined;
  return (
    `alrflow: warning: checkpoint ${checkpoint} ${found(meta.noiseGenerator)}; this build draws rng v${NOISE_GENERATOR_VERSION}. ` +
    `The run continues correctly from step ${step}, but its noise from there on differs from what the old generator would have drawn, ` +
    `so the result is not bit-identical to an uninterrupted run under the old generator`
  );
}

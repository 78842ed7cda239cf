// Divergence of a training run: the first non-finite loss, parameter or evaluation stops the run.
// Not an error of the user's input: the loop catches RunDiverged, keeps the last good checkpoint,
// warns and writes train-report.json with status "diverged" (the CLI exits 4).

/** Where and how a run diverged; `step` is the 1-based step whose result was not finite. */
export interface Divergence {
  step: number;
  epoch: number;
  /** What was not finite: the step's loss (with its value), the updated parameters, or an evaluation. */
  what: string;
  /** The step count of the checkpoint saved at divergence (its parameters are all finite). */
  savedStep: number;
}

/** Thrown inside the train loop, caught by it: never reaches the CLI. */
export class RunDiverged extends Error {
  constructor(readonly divergence: Divergence) {
    super(`diverged at step ${divergence.step}: ${divergence.what}`);
  }
}

/** Kernel errors about non-finite values are the same divergence as a NaN loss. */
export function isNonFiniteError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'InvalidInputError' && /NaN|Infinity|non-finite/.test(err.message);
}

/** The warning printed when a run diverged. */
export function divergenceWarning(d: Divergence, checkpoint: string, lr: number): string {
  return `warning: training diverged: non-finite ${d.what} at step ${d.step} (epoch ${d.epoch}); stopped. The last finite state (after step ${d.savedStep}) is saved in ${checkpoint}. Hint: lower --lr (now ${lr}) or --sigma`;
}

// What a gradient method is, as data the compiler, the runtime, the simulator and the CLI read: where
// its noise lives, how it may keep it, how a noise reading and the loss are scaled, which switches
// and schedules it allows, and its rows in `alrflow compare`. A method file (bp.ts, lr.ts, ...) declares
// one of these with its expander (method-spec.ts); nothing here imports an expander, so the
// expanders themselves can read the rules they were handed.
import type { ScheduleKind } from '../schedules/registry.js';
import type { MethodSwitches } from '../../ir/method-rules.js';
import type { RowLayout } from '../../ir/types.js';
import type { Method } from './names.js';

export type NoiseStorage = 'float' | 'sign-bits' | 'regenerate';

/** Where a method's noise is drawn: none (BP), on pre-activations (LR family), on the weights (ES family). */
export type NoiseSpace = 'none' | 'activation' | 'weight';

/** Run switches (METHOD.md), each either allowed by a method or refused with its name. */
export type SwitchName = 'baseline' | 'encoding' | 'antithetic' | 'layerwise' | 'learnedSigma' | 'bpLayers';

/** One `alrflow compare` row; rows are listed by rank, then by registry order. */
export interface CompareRowSpec {
  rank: number;
  schedule: ScheduleKind;
  staleness?: 1;
  microBatches?: number;
  /** The row every other row's ratio is taken against (BP under bp-sequential). */
  reference?: true;
}

export interface MethodRules {
  name: Method;
  /** One line for the CLI help. */
  summary: string;
  noiseSpace: NoiseSpace;
  /** Noise storages allowed; the first is the default. Empty: the method draws no noise. */
  storages: readonly NoiseStorage[];
  /** The method that keeps sign bits where this one keeps floats (the hint of a refused --noise-storage sign-bits). */
  signBitsTwin?: Method;
  /** Whether gradient products read the noise by its signs (ALR, AES): sign bits are packed for them. */
  readsNoiseSigns: boolean;
  /** Switches this method accepts beyond its defaults. */
  switches: readonly SwitchName[];
  schedules: readonly ScheduleKind[];
  compareRows: readonly CompareRowSpec[];
  /** The factor on a noise reading: sqrt(pi/2) where only signs of the noise are read. */
  signScale(s: MethodSwitches): number;
  /** What the step's main Loss node emits. */
  lossEmits(s: MethodSwitches): 'gradient' | 'loss' | 'loss-signs';
  /** How copies are laid out in the rows: sample-major (activation noise) or copy-major (weight noise). */
  rowLayout: RowLayout;
}

/** Whether a method draws noise copies at all (K applies). */
export function usesCopies(rules: MethodRules): boolean {
  return rules.noiseSpace !== 'none';
}

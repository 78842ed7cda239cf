// Cores as a choice: the same step compiled onto the first c cores of the chip for c = all, half, a
// quarter, ... 1 (stopping at the first count slower than the one before it), each simulated for two
// iterations, and the fastest kept (ties: more cores). So a
// chip with more cores is never reported slower than the same chip with fewer for the same step, and
// the report says which core counts were tried and what each gave.
import type { CompiledStep } from '../src/compiler/types.js';
import { AlrflowError, InfeasibleMappingError } from '../src/errors.js';
import type { HwModel } from '../src/hw/types.js';
import type { CoreChoice } from '../src/report/sim-report.js';
import { simulatedIterationCycles } from './simulate.js';

/** Iterations each candidate runs: the second one is the measure (the first fills the pipeline). */
const trialIterations = 2;

/** The chip using only its first `cores` cores (its NoC and memory levels unchanged). */
export function withCores(hw: HwModel, cores: number): HwModel {
  return cores === hw.cores.count ? hw : { ...hw, cores: { ...hw.cores, count: cores } };
}

/** All, half, a quarter, ... down to 1 core. */
export function coreCandidates(count: number): number[] {
  const out: number[] = [];
  for (let c = count; c >= 1; c = Math.floor(c / 2)) out.push(c);
  return out;
}

function trialCycles(step: CompiledStep): number | null {
  if (!step.feasibility.ok) return null;
  return simulatedIterationCycles(step, trialIterations).at(-1) ?? null;
}

/** Compiles the step for each candidate core count and keeps the fastest feasible one. */
export function fastestCoreCount(
  hw: HwModel,
  compileOn: (hw: HwModel) => CompiledStep,
): { step: CompiledStep; choice: CoreChoice } {
  const full = compileOn(hw);
  if (hw.cores.count === 1) return { step: full, choice: { available: 1, used: 1, candidates: [] } };
  let best = { step: full, cycles: trialCycles(full) };
  const candidates: CoreChoice['candidates'] = [{ cores: hw.cores.count, cyclesPerIteration: best.cycles }];
  for (const cores of coreCandidates(hw.cores.count).slice(1)) {
    let step: CompiledStep;
    try {
      step = compileOn(withCores(hw, cores));
    } catch (err) {
      // A fixed stage count or cut list that needs more cores: not a candidate.
      if (err instanceof AlrflowError && !(err instanceof InfeasibleMappingError)) continue;
      throw err;
    }
    const cycles = trialCycles(step);
    const previous = candidates.at(-1)!.cyclesPerIteration;
    candidates.push({ cores, cyclesPerIteration: cycles });
    if (cycles !== null && (best.cycles === null || cycles < best.cycles)) best = { step, cycles };
    // Halving further stops once it stops paying: fewer cores than a slower count are not tried.
    if (cycles !== null && previous !== null && cycles > previous) break;
  }
  return { step: best.step, choice: { available: hw.cores.count, used: best.step.hw.cores.count, candidates } };
}

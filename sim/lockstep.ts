// Lockstep steps (Task.lockstep, src/compiler/compile.ts lockstepOf): each op's cores run in step, so
// one task on the last core of each core list stands for all of them. What the report derives per
// core (units, stages, memory on a core's own levels) is the same on the cores it stands for.
import type { CompiledStep, Task } from '../src/compiler/types.js';

/** The cores each stage's last core stands for (the others of its stage); empty when the step is not in lockstep. */
export function mirrorsOf(step: CompiledStep): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (!step.tasks.some((t) => t.lockstep)) return out;
  for (const s of step.stages) if (s.cores.length > 1) out.set(s.cores.at(-1)!, s.cores.slice(0, -1));
  return out;
}

/** How many cores hold what `core` holds on its own levels (1 for chip-wide instances, core -1). */
export function copiesOn(mirrors: ReadonlyMap<number, number[]>, core: number): number {
  return 1 + (core >= 0 ? (mirrors.get(core)?.length ?? 0) : 0);
}

/** The work of the cores a task stands for over its own (Task.lockstep.weight; 1 without lockstep): their traffic is its times this. */
export function lockstepWeight(task: Task): number {
  return task.lockstep?.weight ?? 1;
}

// Per-iteration countdown of the engine's dependency groups (engine-index.ts): how many members of
// each group are still running in each iteration, and which member finished last (the first in list
// order among those that finished at the latest cycle, as a scan of the list would find it).
import type { DependencyGroups } from './engine-index.js';

export class GroupCountdown {
  /** Per (iteration, group): members still running, the last to finish (instance) and its list position. */
  readonly left: Int32Array;
  readonly best: Int32Array;
  readonly bestPos: Int32Array;
  /** Groups per iteration. */
  readonly count: number;

  constructor(
    readonly groups: DependencyGroups,
    iterations: number,
  ) {
    this.count = groups.waiters.start.length - 1;
    this.left = new Int32Array(this.count * iterations);
    for (let it = 0; it < iterations; it++)
      for (let g = 0; g < this.count; g++)
        this.left[it * this.count + g] = groups.members.start[g + 1]! - groups.members.start[g]!;
    this.best = new Int32Array(this.count * iterations).fill(-1);
    this.bestPos = new Int32Array(this.count * iterations);
  }

  /**
   * Member task t of iteration it (instance inst) finished at cycle `end[inst]`: counts down each of
   * its groups and calls `release(g, it)` for every group of that iteration whose members are all done
   * (the engine passes one function for the whole run, not a closure per completion).
   */
  finished(t: number, it: number, inst: number, end: Float64Array, release: (g: number, it: number) => void): void {
    const { memberOf, memberPos } = this.groups;
    for (let k = memberOf.start[t]!; k < memberOf.start[t + 1]!; k++) {
      const at = it * this.count + memberOf.list[k]!;
      const b = this.best[at]!;
      if (b < 0 || end[inst]! > end[b]! || (end[inst] === end[b] && memberPos[k]! < this.bestPos[at]!)) {
        this.best[at] = inst;
        this.bestPos[at] = memberPos[k]!;
      }
      if (--this.left[at]! === 0) release(memberOf.list[k]!, it);
    }
  }

  /** The member of group g that finished last in iteration it. */
  lastOf(g: number, it: number): number {
    return this.best[it * this.count + g]!;
  }
}

// The compiler's cycle estimate of a piece of work (stage balancing, tile sizing): the unit timing
// the simulator uses (src/hw/timing/unit-timing.ts) on the unit the work would run on, so the two
// cannot drift. It has no memory model; the partitioner adds its own off-chip estimate.
import { computeCycles, unitFor } from '../hw/timing/unit-timing.js';
import type { HwModel } from '../hw/types.js';
import type { Work } from '../ir/types.js';

export function estimateCycles(work: Work, hw: HwModel): number {
  return computeCycles(hw, unitFor(hw, work, 0), work);
}

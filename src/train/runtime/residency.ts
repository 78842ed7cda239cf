// Whether a run's steps keep their state on the device between steps (resident-step.ts), and why not
// where they do not (train --profile prints it, as simulate's hostTransfers gives it): the backend must
// keep tensors on a device and have device operations, and the step graphs must be of the form resident
// steps run (src/ir/resident-graph.ts). Not a kernel.
import { nonResidentReason, uncoveredReason } from '../../ir/resident-graph.js';
import type { GraphCache } from './graph-cache.js';
import type { ResolvedKernels } from './resolve-kernels.js';

/** Whether this run's steps keep their state on the device, and why not where they do not (train --profile). */
export interface Residency {
  resident: boolean;
  reason?: string;
}

export class ResidencyCheck {
  /** Why the step graphs are not of the form resident steps run (nonResidentReason; '' when they are), once known. */
  private graphReason: string | undefined;

  constructor(
    private readonly resolved: ResolvedKernels,
    private readonly graphs: GraphCache,
  ) {}

  /**
   * Device operations and a graph whose layers and nodes all have device paths (nonResidentReason)
   * that the operations cover (uncoveredReason: tfjs-wasm's draw no noise); where not, why.
   */
  of(): Residency {
    const no = (reason: string): Residency => ({ resident: false, reason });
    const backend = this.resolved.backend;
    if (!this.resolved.resident) return no(`backend ${backend} keeps no tensors on a device (or residency is off)`);
    if (this.resolved.ops === undefined) return no(`backend ${backend} has no device operations for a step's state`);
    const step = this.graphs.step(1);
    this.graphReason ??=
      nonResidentReason(this.graphs.evaluation(1)) ??
      nonResidentReason(step) ??
      uncoveredReason(step, this.resolved.ops.covers, backend) ??
      '';
    return this.graphReason === '' ? { resident: true } : no(this.graphReason);
  }
}

// train --profile: the measured time of every graph node, per training step, from the runtime's
// per-node timings (execute-graph.ts) over the profiled steps (this invocation's steps after its
// first, which pays for compilation and warm-up), the measured wall time of those steps, and the
// host <-> device transfers per step where the backend counts them (gpu.js GPU modes: uploads of
// host arrays, downloads of results) with whether the steps were resident and why not. The bench:predict benchmark and `simulate --json` read the
// same node ids.
import type { IrNode } from '../ir/types.js';
import { type DeviceTransfers, type TransferCounts, transfersPerStep } from '../../kernels/device-transfers.js';
import type { NodeProfile } from './runtime/execute-graph.js';

export interface ProfiledNode {
  id: string;
  op: IrNode['kind'];
  /** Mean milliseconds per step (all the node's calls of the step: one per micro-batch). */
  ms: number;
  callsPerStep: number;
}

export interface StepProfile {
  steps: number;
  /** Mean wall seconds of a profiled step (the step as train times it, updates included). */
  measuredStepSeconds: number;
  /** Sum of the nodes' ms over measuredStepSeconds * 1000: the share of the step spent inside nodes. */
  nodeShare: number;
  /** Largest first. */
  nodes: ProfiledNode[];
  /** Host <-> device transfers per profiled step, uploads and downloads together and apart; absent where the backend has no device memory apart from the host. */
  transfers?: TransferCounts & DeviceTransfers;
  /** Whether the steps kept their state on the device (one readback a step), and why not where they did not. */
  residency?: { resident: boolean; reason?: string };
}

export function stepProfile(
  timings: ReadonlyMap<string, NodeProfile>,
  steps: number,
  seconds: number,
  transfers: { start: DeviceTransfers | undefined; end: DeviceTransfers | undefined } = {
    start: undefined,
    end: undefined,
  },
): StepProfile | undefined {
  if (steps < 1) return undefined;
  const nodes = [...timings].map(([id, t]) => ({ id, op: t.op, ms: t.ms / steps, callsPerStep: t.calls / steps }));
  nodes.sort((a, b) => b.ms - a.ms);
  const measuredStepSeconds = seconds / steps;
  const nodeShare = nodes.reduce((s, n) => s + n.ms, 0) / (1000 * measuredStepSeconds);
  if (!transfers.start || !transfers.end) return { steps, measuredStepSeconds, nodeShare, nodes };
  const per = transfersPerStep(transfers.start, transfers.end, steps);
  const total = { count: per.uploads.count + per.downloads.count, bytes: per.uploads.bytes + per.downloads.bytes };
  return { steps, measuredStepSeconds, nodeShare, nodes, transfers: { ...total, ...per } };
}

// train --profile: the measured time of every graph node, per training step, from the runtime's
// per-node timings (execute-graph.ts) over the profiled steps (this invocation's steps after its
// first, which pays for compilation and warm-up), and the measured wall time of those steps. The
// bench:predict benchmark and `simulate --json` read the same node ids.
import type { IrNode } from '../ir/types.js';
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
}

export function stepProfile(timings: ReadonlyMap<string, NodeProfile>, steps: number, seconds: number): StepProfile | undefined {
  if (steps < 1) return undefined;
  const nodes = [...timings].map(([id, t]) => ({ id, op: t.op, ms: t.ms / steps, callsPerStep: t.calls / steps }));
  nodes.sort((a, b) => b.ms - a.ms);
  const measuredStepSeconds = seconds / steps;
  const nodeShare = nodes.reduce((s, n) => s + n.ms, 0) / (1000 * measuredStepSeconds);
  return { steps, measuredStepSeconds, nodeShare, nodes };
}

// SimReport: the plain-JSON result of one simulation, the contract between sim/, the CLI and the
// visualizer. Nothing here computes; producers fill it, consumers read it.
import { type TensorClass, tensorClasses } from '../ir/types.js';

/** Re-exported so the visualizer reads report types (and this list of their keys) from src/report only. */
export { type TensorClass, tensorClasses };

export type StallCause = 'bandwidth' | 'capacity' | 'dependency' | 'pipeline-bubble';

export interface SimInput {
  model: string;
  method: string;
  copies: number;
  batch: number;
  schedule: string;
  hw: string;
  iterations: number;
  microBatches: number;
  staleness: number;
  noiseStorage: string;
}

export interface UnitStats {
  core: number;
  unit: string;
  kind: 'systolic' | 'vector' | 'link';
  busyCycles: number;
  utilisation: number;
}

export interface MemoryStats {
  level: string;
  /** Instance: core index for per-core levels, -1 for chip-wide ones. */
  core: number;
  capacityBytes: number;
  peakBytes: number;
  timeWeightedBytes: number;
  peakBytesByClass: Partial<Record<TensorClass, number>>;
  timeWeightedBytesByClass: Partial<Record<TensorClass, number>>;
  overflow: boolean;
}

export interface TrafficStats {
  /** A memory level name or a link name. */
  where: string;
  bytesRead: number;
  bytesWritten: number;
  bytesByClass: Partial<Record<TensorClass, number>>;
}

/** One executed task, for the Gantt chart and the Perfetto trace. */
export interface TimelineEntry {
  core: number;
  unit: string;
  start: number;
  end: number;
  node: string;
  op: string;
  phase: string;
  layer?: string;
  iteration: number;
  microBatch: number;
  tile?: string;
  bytes: number;
}

export interface MemorySample {
  cycle: number;
  bytesByClass: Partial<Record<TensorClass, number>>;
}

export interface SimReport {
  kind: 'sim-report';
  version: 1;
  input: SimInput;
  clockHz: number;
  cycles: { total: number; perIteration: number[]; steadyStatePerIteration: number };
  throughput: { iterationsPerSecond: number; samplesPerSecond: number };
  units: UnitStats[];
  bubbleRatio: number;
  memory: MemoryStats[];
  traffic: TrafficStats[];
  stalls: Record<StallCause, number>;
  energy?: { totalJoules: number; byLevelJoules: Record<string, number>; computeJoules: number };
  timeline: TimelineEntry[];
  memoryTimeline: { level: string; core: number; capacityBytes: number; samples: MemorySample[] }[];
  events: number;
}

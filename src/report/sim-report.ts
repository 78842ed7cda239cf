// SimReport: the plain-JSON result of one simulation, the contract between sim/, the CLI and the
// visualizer. Nothing here computes; producers fill it, consumers read it.
import type { HostTransfers } from '../ir/host-transfers.js';
import type { UnitKind } from '../hw/timing/unit-timing.js';
import { type TensorClass, tensorClasses } from '../ir/types.js';

/** Re-exported so the visualizer reads report types (and this list of their keys) from src/report only. */
export { type TensorClass, tensorClasses };

/**
 * Why a unit was not computing. Memory stalls (while a task occupies its unit): latency (access
 * latency before the first byte), bandwidth (the task alone at full bandwidth moves its bytes slower
 * than it computes), capacity (extra time from spill traffic), contention (extra time because other
 * tasks shared the bandwidth). Idle (no task on the unit): dependency (waits on its own core),
 * pipeline-bubble (waits on another core, or before its first / after its last task).
 */
export type StallCause = 'latency' | 'bandwidth' | 'capacity' | 'contention' | 'dependency' | 'pipeline-bubble';
export const stallCauses: readonly StallCause[] = [
  'latency',
  'bandwidth',
  'capacity',
  'contention',
  'dependency',
  'pipeline-bubble',
];

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
  /** Present (true) when the step learns sigma (LR/ALR): its sigma gradients and updates are simulated. */
  learnedSigma?: boolean;
}

export interface UnitStats {
  core: number;
  unit: string;
  kind: UnitKind;
  /** Cycles a task occupied the unit (its compute and its memory stalls). */
  busyCycles: number;
  /** Cycles the unit computed. */
  computeCycles: number;
  /** computeCycles / total cycles. */
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
  /** The placements need more than the capacity: the excess spills off-chip (or, on the last level, does not fit). */
  overflow: boolean;
  /** fits: the peak is within the capacity; spills: the resident share is, the rest lives on the next level (its traffic counted); over-capacity: the peak exceeds the capacity (infeasible). */
  verdict: 'fits' | 'spills' | 'over-capacity';
  /** Fraction of every access to the instance also written to and read from the next level. */
  spillFraction: number;
}

export interface TrafficStats {
  /** A memory level name or a link name. */
  where: string;
  bytesRead: number;
  bytesWritten: number;
  bytesByClass: Partial<Record<TensorClass, number>>;
}

/** Bytes staged across one boundary between adjacent memory levels per iteration (reads move outward-in, writes inward-out). */
export interface LevelPairTraffic {
  /** The level the bytes leave. */
  from: string;
  /** The level they arrive at (the next level in or out). */
  to: string;
  bytesPerIteration: number;
  bytesByClass: Partial<Record<TensorClass, number>>;
}

/** Bytes of the first load (iteration 0 only) across one boundary: persistent tensors brought from off-chip into the on-chip level they stay on. */
export interface FirstLoadTraffic {
  /** The level the bytes leave. */
  from: string;
  /** The next level in. */
  to: string;
  bytes: number;
  bytesByClass: Partial<Record<TensorClass, number>>;
}

/** Where a tensor lives and why: its slots (micro-batch, shard and core copies) on one level, summed. */
export interface PlacementRow {
  tensor: string;
  cls: TensorClass;
  level: string;
  bytes: number;
  /** Slots (micro-batch and row shards, per-core copies) of the tensor on this level. */
  slots: number;
  /** "fits", "l1 full (60.0 KiB live + 8.0 KiB > 64.0 KiB); fits", "step input: stays off-chip", ", spills: ..." and the like. */
  reason: string;
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

/** One pipeline stage: the compiler's estimate and the simulated cost, both per core and per iteration. */
export interface StageStats {
  index: number;
  layers: string[];
  cores: number[];
  /** The compiler's estimate (unit timing, no memory): the stage's work over its cores. */
  estimatedCycles: number;
  /** Simulated: cycles the stage's units were occupied (compute and memory stalls) per iteration, over its cores. */
  simulatedCycles: number;
}

/** A report's times in seconds (sim-prediction.ts computes them from the timeline). */
export interface SimPrediction {
  secondsPerIteration: number;
  /** Predicted busy seconds per graph node in one iteration, largest first. */
  nodes: { id: string; op: string; seconds: number }[];
}

/**
 * Energy of the whole run. A part without energy figures in the hardware model is null ("not
 * modelled", never zero) and named in notModelled. totalJoules is null unless compute and every memory
 * level are modelled; a NoC without figures is then left out of it (and named in notModelled).
 */
export interface SimEnergy {
  totalJoules: number | null;
  byLevelJoules: Record<string, number | null>;
  computeJoules: number | null;
  notModelled: string[];
}

/** Which core counts of the chip the step was tried on (cycles per iteration; null: infeasible) and which it uses. */
export interface CoreChoice {
  available: number;
  used: number;
  candidates: { cores: number; cyclesPerIteration: number | null }[];
}

/** One iteration's array cycles: folds, compute cycles, streaming cycles (folds x rows streamed) and the rest, paid per fold of every task. */
export interface FoldCycles {
  folds: number;
  computeCycles: number;
  streamingCycles: number;
  foldOverheadCycles: number;
  foldOverheadShare: number;
}

/** Every array together, and the array that computes longest (the bottleneck of a compute-bound step). */
export interface ArrayFoldStats extends FoldCycles {
  busiestUnit: string;
  busiest: FoldCycles;
}

export interface SimReport {
  kind: 'sim-report';
  version: 1;
  input: SimInput;
  clockHz: number;
  cycles: { total: number; perIteration: number[]; steadyStatePerIteration: number };
  throughput: { iterationsPerSecond: number; samplesPerSecond: number };
  units: UnitStats[];
  /** How the compiler chose the stages, and each stage's estimated and simulated cost. */
  stageChoice: string;
  stages: StageStats[];
  /**
   * Weight reuse: bytes of weights held on the nearest level (fetched once, reused by every
   * micro-batch and fold), bytes the nearest level cannot hold, and the off-chip weight bytes read
   * per iteration because of them (every micro-batch and shard re-reads its weights).
   */
  weights: { onChipBytes: number; offChipBytes: number; offChipReadBytesPerIteration: number };
  /**
   * The pipeline bubble (fill and drain), pipelined schedules only (0 otherwise): per iteration, the
   * fraction of the span from its first to its last compute in which a core that computes had none of
   * its compute units busy; mean over iterations.
   */
  bubbleRatio: number;
  /** Waits between units of one core (arrays waiting on the core's vector unit): the compute units' dependency idle share of cycleShares. */
  unitWaitRatio: number;
  /** Systolic arrays' compute cycles per iteration split into streaming rows and the per-fold load, skew and drain (sim/array-folds.ts); absent where no array computes and in older reports. */
  arrayFolds?: ArrayFoldStats;
  /** Compute cycles of every unit of a kind over (units of that kind on the chip x total cycles). */
  utilisationByKind: Partial<Record<UnitStats['kind'], number>>;
  memory: MemoryStats[];
  traffic: TrafficStats[];
  /** Staging: bytes per iteration across each pair of adjacent levels (sim/units/memory.ts, src/compiler/stage-traffic.ts); absent in older reports. */
  trafficByLevelPair?: LevelPairTraffic[];
  /** The first load of the persistent tensors that live on chip (weights, optimizer state), once, in iteration 0 (its cycles are in that iteration's); absent in older reports. */
  firstLoadByLevelPair?: FirstLoadTraffic[];
  /** Which tensor lives where and why (src/compiler/map-memory.ts), the largest first; absent in older reports. */
  placements?: PlacementRow[];
  /** Unit-cycles by cause, summed over the units that ran tasks. */
  stalls: Record<StallCause, number>;
  /** Fractions of the compute units' cycles (the bubble ratio's units x total cycles): computing, and each stall cause; they sum to 1. */
  cycleShares: Record<StallCause | 'compute', number>;
  /** Bound of one steady-state iteration: the busiest unit's compute, and each memory instance's bytes over its bandwidth. */
  bound: {
    busiestUnitComputeCycles: number;
    busiestUnit: string;
    levelCycles: Record<string, number>;
    cycles: number;
    kind: 'compute' | 'bandwidth';
    ratio: number;
  };
  energy?: SimEnergy;
  timeline: TimelineEntry[];
  memoryTimeline: { level: string; core: number; capacityBytes: number; samples: MemorySample[] }[];
  events: number;
  /** Work of one iteration: multiply-accumulates of every node of the step graph, the same on every hardware model (2 x macsPerIteration x iterations/s is the achieved FLOP/s). */
  work?: {
    /** The network's forward multiply-accumulates of one sample (the `models --json` figure): the workload to check against one's own. */
    forwardMacsPerSample?: number;
    macsPerIteration: number;
    /** The same by network layer (sim/layer-work.ts): MACs and vector operations (elements x operations per element). */
    byLayer?: { layer: string; macs: number; vectorOps: number }[];
  };
  /**
   * Host <-> device transfers of one iteration, from the step graph (src/ir/host-transfers.ts): the
   * batch up, the loss and the update's finiteness down. No hardware model has a host link yet, so
   * they are counted bytes, not timed (hostLink null).
   */
  hostTransfers?: HostTransfers & { hostLink: null };
  /** Cores as a choice: present when fewer cores were tried (sim/choose-cores.ts). */
  coreChoice?: CoreChoice;
  /** The report's times in seconds (secondsPerIteration, predicted time per node); see sim-prediction.ts. */
  prediction?: SimPrediction;
}

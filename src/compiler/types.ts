// The compiler's output: a step graph mapped onto a hardware model and ordered as a schedule of
// tasks. The simulator (sim/) and the runtime (src/train) both consume a CompiledStep; this file is
// that contract.
import type { UnitRef } from '../hw/timing/unit-timing.js';
import type { HwModel } from '../hw/types.js';
import type { MethodSwitches } from '../ir/method-rules.js';
import type { Graph, TensorClass, Work } from '../ir/types.js';
import type { Method } from './methods/names.js';

import type { ScheduleKind } from './schedules/registry.js';

export type { ScheduleKind };
export { scheduleKinds } from './schedules/registry.js';

export type { UnitRef };

export interface CompileOptions {
  method: Method;
  copies: number;
  batch: number;
  schedule: ScheduleKind;
  microBatches: number;
  staleness: 0 | 1;
  noiseStorage: 'float' | 'sign-bits' | 'regenerate';
  layerwise: boolean;
  optimizer: 'sgd' | 'adam';
  /** SGD momentum: above 0 each updated buffer keeps a velocity (an optimizer-state tensor of its size); absent: 0. */
  momentum?: number;
  /** Pipelined schedules: the number of stages (cut by the balancing rule); absent: chosen automatically. */
  stages?: number;
  /** Pipelined schedules: the layers that begin stages 2, 3, ... (overrides `stages`' cut). */
  stageCuts?: string[];
  /** Hybrid methods: the BP layers, as --bp-layers gives them (absent: the last parametrised layer). */
  bpLayers?: string;
  /** The run's method switches, written onto the nodes by expand (absent: src/ir/method-rules defaultSwitches). */
  switches?: MethodSwitches;
  /**
   * Simulate each op's cores in lockstep: one task per op instance stands for all of them (compile.ts
   * lockstepAuto: absent, on chips of more than 256 cores); false: a task per core.
   */
  lockstep?: boolean;
}

/**
 * One pipeline stage: a contiguous run of layers on a set of cores. A stage with several cores
 * splits each micro-batch's rows among them and all-reduces their partial weight gradients.
 */
export interface Stage {
  index: number;
  layers: string[];
  cores: number[];
  estimatedCycles: number;
}

/** Bytes a task reads or writes on a memory level, by tensor. */
export interface Access {
  tensor: string;
  cls: TensorClass;
  level: string;
  /** Core owning the level instance (for 'core' scope levels); -1 for chip-wide levels. */
  core: number;
  bytes: number;
}

/** One schedulable piece of work: a node (or one tile/shard of it) for one micro-batch. */
export interface Task {
  id: string;
  node: string;
  microBatch: number;
  unit: UnitRef;
  work: Work;
  reads: Access[];
  writes: Access[];
  /** Task ids of the same iteration that must finish first. */
  deps: string[];
  /** Task ids of the previous iteration that must finish first (weight updates under staleness 0). */
  prevIterationDeps: string[];
  /** Tile index and count when a node was split to fit on-chip buffers. */
  tile?: { index: number; count: number };
  /** Row (or element) shard index and count when a node's work is spread over several cores. */
  shard?: { index: number; count: number };
  /**
   * Lockstep compiles: this task is the busiest shard (the last) and stands for its node's shards on
   * `cores` cores, run in step with it; `weight` times its work is all of theirs (1 <= weight <= cores).
   */
  lockstep?: { cores: number; weight: number };
}

/** Where a tensor lives and from which task to which task it must be kept. */
export interface TensorPlacement {
  tensor: string;
  cls: TensorClass;
  level: string;
  core: number;
  bytes: number;
  /** Producing task (undefined for weights and inputs, which live for the whole run). */
  firstTask?: string;
  /** Last task that reads it (undefined: kept until the end of the iteration). */
  lastTask?: string;
  /** Persistent tensors (weights, optimizer state) live across iterations. */
  persistent: boolean;
  /**
   * Software-pipelined schedules (layer-pipelined, staleness 1): lastTask runs in the next
   * iteration's body, so the tensor lives from firstTask to the end of its iteration and on into
   * the next one until lastTask.
   */
  readNextIteration?: boolean;
  /** Why it lives there (sim/level-report.ts words it): the levels that were full over its lifetime ([level, bytes live there]) before the one it landed on. */
  why?: PlacementWhy;
}

export interface PlacementWhy {
  kind: 'fits' | 'shared-copy' | 'off-chip' | 'step-input' | 'one-level';
  full: [level: string, liveBytes: number][];
}

export interface Feasibility {
  ok: boolean;
  /** One line per shortfall, e.g. "noise of conv3 needs 18.0 MiB on level sram (capacity 8 MiB) under schedule layer-pipelined". */
  shortfalls: string[];
  /** The largest peak over capacity among the instances (1 or less when everything fits): how far off a mapping is. */
  overBy?: number;
}

export interface CompiledStep {
  graph: Graph;
  hw: HwModel;
  options: CompileOptions;
  stages: Stage[];
  /** How the stages were chosen, in words. */
  stageChoice: string;
  tasks: Task[];
  placements: TensorPlacement[];
  feasibility: Feasibility;
  /** The network's forward multiply-accumulates of one sample, as `models --json` gives them (src/models/workload.ts). */
  forwardMacsPerSample: number;
}

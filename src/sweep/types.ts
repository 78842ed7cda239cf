// Plain data types of a sweep: one point (the inputs of one compile+simulate run) and its result
// row. They travel between threads, processes and machines as JSON, so they hold no functions,
// no class instances and nothing that differs between runs of the same point (no timings).
import type { ModelChoice } from './spec.js';

export interface SweepPoint {
  /** Stable key: a hash of every field below; equal points have equal keys on every machine. */
  key: string;
  /** Base hardware model (shipped name or absolute path). */
  hw: string;
  /** Hardware file fields by path, e.g. { "cores.systolic[0].rows": 64, "memory[0].capacity": "1 MiB" }. */
  hwOverrides: Record<string, number | string>;
  model: ModelChoice;
  method: string;
  copies: number;
  schedule: string;
  batch: number;
  /** Absent: the compiler's default for the method and schedule. */
  microBatches?: number;
  staleness?: 0 | 1;
  noiseStorage?: string;
  iterations: number;
}

export type PointStatus = 'ok' | 'infeasible' | 'invalid' | 'error';

export interface PointResult {
  key: string;
  point: SweepPoint;
  /** ok: simulated; infeasible: the mapping does not fit; invalid: bad hardware/model values; error: internal failure. */
  status: PointStatus;
  /** Why a point is not 'ok' (the feasibility shortfalls or the error message). */
  reason?: string;
  iterationsPerSecond?: number;
  samplesPerSecond?: number;
  cyclesPerIteration?: number;
  /** Peak bytes per memory level name: the largest instance's peak (what each instance must hold). */
  peakBytesByLevel?: Record<string, number>;
  /** The per-level peaks added up: the memory axis of the Pareto front (SweepReport's peakBytes). */
  peakMemoryBytes?: number;
  energyJoulesPerIteration?: number;
  /** Mean utilisation of the compute units (systolic and vector). */
  utilisation?: number;
  bubbleRatio?: number;
  /** Set at the end of a sweep: whether the point is on the Pareto front. */
  pareto?: boolean;
}

// CompareReport: the plain-JSON result of `alrflow compare` (one row per method and schedule on the
// same network and hardware), and its zod schema for reading saved files. Nothing here computes.
import { z } from 'zod';

export interface CompareLevel {
  level: string;
  capacityBytes: number;
  peakBytes: number;
  verdict: 'fits' | 'spills' | 'over-capacity';
}

export interface CompareRow {
  method: string;
  schedule: string;
  iterationsPerSecond: number;
  /** iterationsPerSecond divided by the BP row's on the same hardware (BP itself is 1). */
  ratioToBp: number;
  /** Peak bytes per memory level name (the largest instance for per-core levels). */
  peakBytesByLevel: Record<string, number>;
  /** Mean utilisation of the compute units, 0..1. */
  utilisation: number;
  /** The shortfall when this method and schedule do not fit the hardware (the numbers are then 0). */
  infeasible?: string;
  /** Levels whose placements need more than their capacity: the excess spills off-chip (its traffic counted). */
  overflowLevels?: string[];
  /** Each memory level: capacity, simulated peak (the largest instance) and verdict (the worst instance's). */
  levels?: CompareLevel[];
  /** Micro-batches and pipeline stages of the row. */
  microBatches?: number;
  stages?: number;
  /** Where the compute units' cycles went: computing, stalled on memory (latency, bandwidth, capacity, contention), idle (pipeline bubble and dependency waits); they sum to 1. */
  shares?: { compute: number; memory: number; idle: number };
  /** Simulated steady-state cycles per iteration over the bound (busiest unit's compute, or the busiest memory instance's bytes over its bandwidth). */
  boundRatio?: number;
  /** What the bound is: 'compute' or 'bandwidth'. */
  boundKind?: 'compute' | 'bandwidth';
  bubbleRatio?: number;
}

export interface CompareReport {
  kind: 'compare-report';
  version: 1;
  model: string;
  hw: string;
  copies: number;
  batch: number;
  /** The rows were simulated in lockstep (sim/README.md); absent in older reports. */
  lockstep?: boolean;
  rows: CompareRow[];
}

export const compareReportSchema = z.object({
  kind: z.literal('compare-report'),
  version: z.literal(1),
  model: z.string(),
  hw: z.string(),
  copies: z.number().int().positive(),
  batch: z.number().int().positive(),
  lockstep: z.boolean().optional(),
  rows: z.array(
    z.object({
      method: z.string(),
      schedule: z.string(),
      iterationsPerSecond: z.number().nonnegative(),
      ratioToBp: z.number().nonnegative(),
      peakBytesByLevel: z.record(z.string(), z.number().nonnegative()),
      utilisation: z.number().min(0).max(1),
      infeasible: z.string().optional(),
      overflowLevels: z.array(z.string()).optional(),
      levels: z
        .array(
          z.object({
            level: z.string(),
            capacityBytes: z.number().nonnegative(),
            peakBytes: z.number().nonnegative(),
            verdict: z.enum(['fits', 'spills', 'over-capacity']),
          }),
        )
        .optional(),
      microBatches: z.number().int().positive().optional(),
      stages: z.number().int().positive().optional(),
      shares: z
        .object({ compute: z.number().nonnegative(), memory: z.number().nonnegative(), idle: z.number().nonnegative() })
        .optional(),
      boundRatio: z.number().nonnegative().optional(),
      boundKind: z.enum(['compute', 'bandwidth']).optional(),
      bubbleRatio: z.number().min(0).max(1).optional(),
    }),
  ),
}) satisfies z.ZodType<CompareReport>;

// SweepReport: the plain-JSON result of a design-space sweep (one point per evaluated configuration,
// with its Pareto flag), and its zod schema for reading saved files. Nothing here computes.
import { z } from 'zod';

export interface SweepPoint {
  /** The swept parameters of this point, e.g. `{ copies: 64, schedule: 'layer-pipelined' }`. */
  parameters: Record<string, string | number | boolean>;
  iterationsPerSecond: number;
  /** Peak bytes over all memory levels' largest instance (what has to fit). */
  peakBytes: number;
  energyJoules?: number;
  /** On the Pareto front of (max iterationsPerSecond, min peakBytes[, min energyJoules]). */
  pareto: boolean;
}

export interface SweepReport {
  kind: 'sweep-report';
  version: 1;
  /** The swept parameter names, in display order. */
  parameters: string[];
  points: SweepPoint[];
}

export const sweepReportSchema = z.object({
  kind: z.literal('sweep-report'),
  version: z.literal(1),
  parameters: z.array(z.string()),
  points: z.array(
    z.object({
      parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      iterationsPerSecond: z.number().nonnegative(),
      peakBytes: z.number().nonnegative(),
      energyJoules: z.number().nonnegative().optional(),
      pareto: z.boolean(),
    }),
  ),
}) satisfies z.ZodType<SweepReport>;

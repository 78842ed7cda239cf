// ProbeReport: the plain-JSON result of `alrflow probe` (per-layer cosine of an estimated gradient to
// the BP gradient, and the norm ratio), and its zod schema for reading saved files. Nothing here computes.
import { z } from 'zod';

export interface ProbeLayer {
  layer: string;
  /** Cosine similarity of the estimated gradient to the exact BP gradient, -1..1. */
  cosineToBp: number;
  /** ||estimate|| / ||BP gradient||. */
  normRatio: number;
}

export interface ProbeRun {
  method: string;
  copies: number;
  layers: ProbeLayer[];
}

export interface ProbeReport {
  kind: 'probe-report';
  version: 1;
  model: string;
  runs: ProbeRun[];
}

export const probeReportSchema = z.object({
  kind: z.literal('probe-report'),
  version: z.literal(1),
  model: z.string(),
  runs: z.array(
    z.object({
      method: z.string(),
      copies: z.number().int().positive(),
      layers: z.array(
        z.object({
          layer: z.string(),
          cosineToBp: z.number().min(-1).max(1),
          normRatio: z.number().nonnegative(),
        }),
      ),
    }),
  ),
}) satisfies z.ZodType<ProbeReport>;

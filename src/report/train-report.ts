// TrainReport: the plain-JSON learning curves of one or more training runs (per method, metrics per
// step and epoch), and its zod schema for reading saved files. Nothing here computes.
import { z } from 'zod';

export interface TrainPoint {
  step: number;
  epoch: number;
  /** Metric name to value, e.g. `train.loss`, `test.accuracy`. Missing metrics are simply absent. */
  metrics: Record<string, number>;
}

export interface TrainCurve {
  method: string;
  copies?: number;
  backend?: string;
  points: TrainPoint[];
}

export interface TrainReport {
  kind: 'train-report';
  version: 1;
  model: string;
  dataset: string;
  curves: TrainCurve[];
}

export const trainReportSchema = z.object({
  kind: z.literal('train-report'),
  version: z.literal(1),
  model: z.string(),
  dataset: z.string(),
  curves: z.array(
    z.object({
      method: z.string(),
      copies: z.number().int().positive().optional(),
      backend: z.string().optional(),
      points: z.array(
        z.object({
          step: z.number().int().nonnegative(),
          epoch: z.number().nonnegative(),
          metrics: z.record(z.string(), z.number()),
        }),
      ),
    }),
  ),
}) satisfies z.ZodType<TrainReport>;

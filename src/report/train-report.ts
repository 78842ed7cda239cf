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
  /** How the run ended (absent in reports merged from several runs or written before it existed). */
  status?: 'completed' | 'stopped' | 'diverged';
  /** Number of classes of the dataset (the model's output width). */
  classes?: number;
  /** With status diverged: the 1-based step whose loss was not finite. */
  divergedAtStep?: number;
  curves: TrainCurve[];
}

export const trainReportSchema = z.object({
  kind: z.literal('train-report'),
  version: z.literal(1),
  model: z.string(),
  dataset: z.string(),
  status: z.enum(['completed', 'stopped', 'diverged']).optional(),
  classes: z.number().int().positive().optional(),
  divergedAtStep: z.number().int().positive().optional(),
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

// train-report.json: the TrainReport curve of one run (src/report/train-report.ts, which the
// visualizer reads) plus a summary block: final train/test accuracy and loss, wall time, the backend
// that ran (overall and per kernel; the page transfer cost on browser backends), the bytes kept per step by tensor class, and with learned sigma each layer's final sigma.
import type { TransferStats } from '../../kernels/browser/browser-device.js';
import type { TrainReport } from '../report/train-report.js';
import type { MetricsRow } from './metrics-log.js';
import type { Divergence } from './divergence.js';
import type { StepProfile } from './step-profile.js';
import type { SigmaSummary } from './runtime/learned-sigma.js';
import type { KeptBytes } from './runtime/step-types.js';
import type { TrainConfig } from './train-config.js';
import { writeFileAtomic } from '../output-file.js';
import { methodOf } from '../compiler/methods/registry.js';
import { usesCopies } from '../compiler/methods/rules.js';

export interface TrainSummary {
  config: TrainConfig;
  /** completed: every step ran; stopped: interrupted (resumable); diverged: a non-finite loss stopped it. */
  status: 'completed' | 'stopped' | 'diverged';
  /** The dataset's number of classes: the width of the model's last layer. */
  classes: number;
  /** The memory guard's count (from the compiled graphs), the limit it was checked against, and this process's measured peak RSS. */
  memory?: { countBytes: number; limitBytes: number; peakRssBytes: number };
  backend: string;
  /** Per kernel, the backend(s) that ran it (e.g. conv-net kernels without a gpu.js version: reference). */
  kernelBackends?: Record<string, string>;
  /** browser-* backends: bytes and time spent moving arrays between Node and the page. */
  transfer?: TransferStats;
  wallSeconds: number;
  steps: number;
  keptBytesPerStep?: KeptBytes;
  /** Learned sigma only: per layer the final values (one per output unit/channel) with mean, min and max. */
  sigma?: Record<string, SigmaSummary>;
  /** train --profile: measured time per graph node and per step. */
  profile?: StepProfile;
  /** Set when the run diverged: the step whose loss (or parameters, or evaluation) was not finite. */
  divergence?: Divergence;
  /** Set when the run stopped early (interrupt or stopAfterSteps). */
  stoppedAtStep?: number;
  final?: { trainLoss: number; trainAccuracy: number; testLoss: number; testAccuracy: number };
}

export type TrainReportFile = TrainReport & { summary: TrainSummary };

/** Step rows carry the batch loss; the report names it so it cannot be mistaken for an epoch metric. */
function renamed(values: Record<string, number>, from: string, to: string): Record<string, number> {
  const v = values[from];
  return v === undefined ? {} : { [to]: v };
}

/** JSON has no NaN or Infinity: a non-finite value is left out (the divergence block says where it was). */
function finiteOnly(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
}

export function writeTrainReport(path: string, summary: TrainSummary, rows: MetricsRow[]): TrainReportFile {
  const { config } = summary;
  const report: TrainReportFile = {
    kind: 'train-report',
    version: 1,
    model: config.model,
    dataset: config.dataset,
    status: summary.status,
    classes: summary.classes,
    ...(summary.divergence ? { divergedAtStep: summary.divergence.step } : {}),
    curves: [
      {
        method: config.method,
        ...(usesCopies(methodOf(config.method)) ? { copies: config.copies } : {}),
        backend: summary.backend,
        points: rows.map((r) => ({
          step: r.step,
          epoch: r.epoch,
          metrics: finiteOnly(r.kind === 'step' ? renamed(r.values, 'loss', 'train.batchLoss') : r.values),
        })),
      },
    ],
    summary,
  };
  writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

// One row of `alrflow compare`: the method and schedule simulated through job.ts, reduced to the
// figures its table line reads (a worker thread sends only these back), or why it did not run.
import { methodOf, type Method } from '../src/compiler/methods/registry.js';
import type { ScheduleKind } from '../src/compiler/types.js';
import { isPipelined } from '../src/compiler/schedules/registry.js';
import type { SimReport } from '../src/report/sim-report.js';
import { runSimJob, type JobProgress, type SimJob } from './job.js';

export interface CompareRowChoice {
  method: Method;
  schedule: ScheduleKind;
  staleness?: 1;
  microBatches?: number;
  reference?: true;
}

/** What a row's table line reads of its report (a worker thread sends only these back). */
export type RowFigures = Pick<
  SimReport,
  'memory' | 'cycleShares' | 'throughput' | 'utilisationByKind' | 'input' | 'stages' | 'bound' | 'bubbleRatio'
>;

/** A simulated row's figures, or why it did not run. */
export type RowOutcome = RowFigures | string;

function figuresOf(r: SimReport): RowFigures {
  const { memory, cycleShares, throughput, utilisationByKind, input, stages, bound, bubbleRatio } = r;
  return { memory, cycleShares, throughput, utilisationByKind, input, stages, bound, bubbleRatio };
}

/** The options every row shares: compare's network, hardware, copies, batch, iterations and stage controls. */
export type CompareBase = Omit<SimJob, 'method' | 'schedule'>;

/** Simulates one row; a row that does not fit (or a hybrid without layers to split) is its reason, not the end of the comparison. */
export async function runRow(
  base: CompareBase,
  { method, schedule: kind, staleness, microBatches }: CompareRowChoice,
  rowProgress?: JobProgress,
): Promise<RowOutcome> {
  const { ConfigError, InfeasibleMappingError } = await import('../src/errors.js');
  const { stages, stageCuts, bpLayers, ...common } = base;
  const stageControl = isPipelined(kind) ? { stages, stageCuts } : {};
  const takesLayers = methodOf(method).switches.includes('bpLayers');
  const layers = bpLayers !== undefined && takesLayers ? { bpLayers } : {};
  const hybridDefault = takesLayers && bpLayers === undefined;
  return runSimJob(
    {
      ...common,
      noTimelines: true,
      ...stageControl,
      ...layers,
      method,
      schedule: kind,
      ...(staleness ? { staleness } : {}),
      ...(microBatches ? { microBatches: Math.min(microBatches, base.batch) } : {}),
    },
    rowProgress,
  ).then(figuresOf, (err: unknown) => {
    // A hybrid on a network of one parametrised layer is a row that says why (unless --bp-layers was given).
    if (err instanceof ConfigError && hybridDefault) return `not applicable: ${err.problems.join('; ')}`;
    if (!(err instanceof InfeasibleMappingError)) throw err;
    return err.message.split('\n')[1]?.trim() ?? err.message;
  });
}

// The report page's data: every layout computed in Node from the reports given, as one JSON object
// the client script draws. This is where the report kinds meet; each is optional. Pure.
import type { ReportSet } from '../src/report/report-file.js';
import { type SimReport, tensorClasses } from '../src/report/sim-report.js';
import type { TrainReport } from '../src/report/train-report.js';
import { layoutCompare } from './layout-compare.js';
import { type GanttLayout, layoutGantt } from './layout-gantt.js';
import { layoutMemory, type MemoryLayout } from './layout-memory.js';
import { layoutPareto } from './layout-pareto.js';
import { layoutProbeCurves } from './layout-probe-curves.js';
import { layoutTrainCurves } from './layout-train-curves.js';
import type { BarListPanel, GroupedBarsPanel, LinePanel, ScatterPanel, TablePanel } from './layout-types.js';
import { layoutUnitBars } from './layout-unit-bars.js';

export interface PageData {
  title: string;
  tensorClasses: readonly string[];
  summary?: TablePanel;
  gantt?: GanttLayout;
  memory?: MemoryLayout;
  unitBars?: BarListPanel[];
  compare?: { bars: GroupedBarsPanel[]; table: TablePanel };
  train?: LinePanel[];
  probe?: LinePanel[];
  sweep?: ScatterPanel;
}

function simSummary(sim: SimReport): TablePanel {
  const i = sim.input;
  const rows: [string, string][] = [
    ['run', `${i.model} · ${i.method} (K=${i.copies}, batch ${i.batch}) · ${i.schedule} · ${i.hw}`],
    [
      'iterations',
      `${i.iterations} (${i.microBatches} micro-batches, staleness ${i.staleness}, noise ${i.noiseStorage}${i.learnedSigma ? ', learned sigma' : ''})`,
    ],
    [
      'total cycles',
      `${sim.cycles.total} at ${sim.clockHz / 1e6} MHz (steady state ${sim.cycles.steadyStatePerIteration} per iteration)`,
    ],
    [
      'throughput',
      `${sim.throughput.iterationsPerSecond.toPrecision(4)} iterations/s, ${sim.throughput.samplesPerSecond.toPrecision(4)} samples/s`,
    ],
    ['bubble ratio', `${(sim.bubbleRatio * 100).toFixed(1)}%`],
    ['tasks, events', `${sim.timeline.length} tasks, ${sim.events} events`],
  ];
  if (sim.energy !== undefined) rows.push(['energy', sim.energy.totalJoules === null ? 'not modelled' : `${sim.energy.totalJoules.toPrecision(4)} J`]);
  return { id: 'summary-table', title: 'Simulation', columns: ['', ''], rows };
}

/** A diverged run says so in the title, with the step where its loss stopped being finite. */
function trainStatus(train: TrainReport): string {
  return train.status === 'diverged' ? ` (diverged at step ${train.divergedAtStep ?? '?'})` : '';
}

function pageTitle(reports: ReportSet): string {
  if (reports.sim !== undefined)
    return `alrflow: ${reports.sim.input.model} ${reports.sim.input.method} ${reports.sim.input.schedule} on ${reports.sim.input.hw}`;
  if (reports.compare !== undefined) return `alrflow: compare ${reports.compare.model} on ${reports.compare.hw}`;
  if (reports.train !== undefined)
    return `alrflow: training ${reports.train.model} on ${reports.train.dataset}${trainStatus(reports.train)}`;
  if (reports.probe !== undefined) return `alrflow: probe ${reports.probe.model}`;
  return 'alrflow: report';
}

export function buildPageData(reports: ReportSet): PageData {
  const { sim, compare, train, probe, sweep } = reports;
  return {
    title: pageTitle(reports),
    tensorClasses,
    ...(sim === undefined
      ? {}
      : {
          summary: simSummary(sim),
          gantt: layoutGantt(sim),
          memory: layoutMemory(sim),
          unitBars: layoutUnitBars(sim),
        }),
    ...(compare === undefined ? {} : { compare: layoutCompare(compare) }),
    ...(train === undefined ? {} : { train: layoutTrainCurves(train) }),
    ...(probe === undefined ? {} : { probe: layoutProbeCurves(probe) }),
    ...(sweep === undefined ? {} : { sweep: layoutPareto(sweep) }),
  };
}

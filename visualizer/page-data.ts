// The report page's data: every layout computed in Node from the reports given, as one JSON object
// the client script draws. This is where the report kinds meet; each is optional. Pure.
import type { ReportSet } from '../src/report/report-file.js';
import { tensorClasses } from '../src/report/sim-report.js';
import type { TrainReport } from '../src/report/train-report.js';
import { layoutCompare } from './layout-compare.js';
import { type GanttLayout, layoutGantt } from './layout-gantt.js';
import { layoutMemory, type MemoryLayout } from './layout-memory.js';
import { layoutPareto, paretoTable } from './layout-pareto.js';
import { layoutProbeCurves } from './layout-probe-curves.js';
import { simSummary, stageTable } from './layout-sim-tables.js';
import { levelPairTable, placementTable } from './layout-level-tables.js';
import { layoutTrainCurves, trainSummary } from './layout-train-curves.js';
import type { BarListPanel, LinePanel, ScatterPanel, TablePanel } from './layout-types.js';
import { layoutUnitBars } from './layout-unit-bars.js';

export interface PageData {
  title: string;
  tensorClasses: readonly string[];
  summary?: TablePanel;
  stages?: TablePanel;
  levelPairs?: TablePanel;
  placements?: TablePanel;
  gantt?: GanttLayout;
  memory?: MemoryLayout;
  unitBars?: BarListPanel[];
  compare?: { bars: BarListPanel[]; table: TablePanel };
  train?: { summary: TablePanel; panels: LinePanel[] };
  probe?: LinePanel[];
  sweep?: { scatter: ScatterPanel; table: TablePanel };
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
  if (reports.sweep !== undefined) return `alrflow: sweep of ${reports.sweep.points.length} configurations`;
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
          stages: stageTable(sim),
          levelPairs: levelPairTable(sim),
          placements: placementTable(sim),
          gantt: layoutGantt(sim),
          memory: layoutMemory(sim),
          unitBars: layoutUnitBars(sim),
        }),
    ...(compare === undefined ? {} : { compare: layoutCompare(compare) }),
    ...(train === undefined ? {} : { train: { summary: trainSummary(train), panels: layoutTrainCurves(train) } }),
    ...(probe === undefined ? {} : { probe: layoutProbeCurves(probe) }),
    ...(sweep === undefined ? {} : { sweep: { scatter: layoutPareto(sweep), table: paretoTable(sweep) } }),
  };
}

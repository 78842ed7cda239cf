// Gantt layout: a SimReport's timeline as one bar per executed task, in columns (parallel arrays)
// so a 50,000-task schedule embeds compactly and the canvas renderer can hit-test by binary search.
// Bars are grouped by row (one row per core and unit) and sorted by start inside a row. Pure.
import type { SimReport } from '../src/report/sim-report.js';

export interface GanttRow {
  core: number;
  unit: string;
  label: string;
  /** Bars of this row are firstBar .. firstBar + barCount - 1, sorted by start. */
  firstBar: number;
  barCount: number;
  /** The longest bar in the row, to bound the hit-test's backward search. */
  maxDurationCycles: number;
}

export interface GanttLayout {
  totalCycles: number;
  /** The last task's end: less than totalCycles when the producer kept only the first iterations. */
  timelineEndCycles: number;
  /** Iterations with tasks in the timeline, and the iterations simulated. */
  iterationsShown: number;
  iterationsTotal: number;
  clockHz: number;
  rows: GanttRow[];
  /** Colour keys (the tasks' phases) in first-seen order. */
  phases: string[];
  /** Interned strings for op, node, tile and layer; -1 means absent. */
  strings: string[];
  bars: {
    row: number[];
    startCycles: number[];
    endCycles: number[];
    phase: number[];
    microBatch: number[];
    iteration: number[];
    op: number[];
    node: number[];
    tile: number[];
    layer: number[];
    bytes: number[];
  };
}

function interner(): { table: string[]; id: (s: string | undefined) => number } {
  const table: string[] = [];
  const ids = new Map<string, number>();
  return {
    table,
    id: (s) => {
      if (s === undefined) return -1;
      let id = ids.get(s);
      if (id === undefined) {
        id = table.length;
        table.push(s);
        ids.set(s, id);
      }
      return id;
    },
  };
}

function ganttRows(report: SimReport): GanttRow[] {
  const keys = new Map<string, { core: number; unit: string }>();
  for (const u of report.units) keys.set(`${u.core}/${u.unit}`, { core: u.core, unit: u.unit });
  for (const e of report.timeline) keys.set(`${e.core}/${e.unit}`, { core: e.core, unit: e.unit });
  return [...keys.values()]
    .sort((a, b) => a.core - b.core || a.unit.localeCompare(b.unit))
    .map(({ core, unit }) => ({
      core,
      unit,
      label: core < 0 ? unit : `core ${core} ${unit}`,
      firstBar: 0,
      barCount: 0,
      maxDurationCycles: 0,
    }));
}

/** One bar per timeline entry; the time axis spans 0 .. cycles.total (or the last end, if later). */
export function layoutGantt(report: SimReport): GanttLayout {
  const rows = ganttRows(report);
  const rowOf = new Map(rows.map((r, i) => [`${r.core}/${r.unit}`, i]));
  const order = report.timeline
    .map((e, i) => ({ e, i, row: rowOf.get(`${e.core}/${e.unit}`)! }))
    .sort((a, b) => a.row - b.row || a.e.start - b.e.start || a.i - b.i);
  const strings = interner();
  const phases = interner();
  const bars: GanttLayout['bars'] = {
    row: [],
    startCycles: [],
    endCycles: [],
    phase: [],
    microBatch: [],
    iteration: [],
    op: [],
    node: [],
    tile: [],
    layer: [],
    bytes: [],
  };
  for (const [index, { e, row }] of order.entries()) {
    const r = rows[row]!;
    if (r.barCount === 0) r.firstBar = index;
    r.barCount += 1;
    r.maxDurationCycles = Math.max(r.maxDurationCycles, e.end - e.start);
    bars.row.push(row);
    bars.startCycles.push(e.start);
    bars.endCycles.push(e.end);
    bars.phase.push(phases.id(e.phase));
    bars.microBatch.push(e.microBatch);
    bars.iteration.push(e.iteration);
    bars.op.push(strings.id(e.op));
    bars.node.push(strings.id(e.node));
    bars.tile.push(strings.id(e.tile));
    bars.layer.push(strings.id(e.layer));
    bars.bytes.push(e.bytes);
  }
  const lastEnd = report.timeline.reduce((m, e) => Math.max(m, e.end), 0);
  const iterationsShown = new Set(report.timeline.map((e) => e.iteration)).size;
  return {
    totalCycles: Math.max(report.cycles.total, lastEnd),
    timelineEndCycles: lastEnd,
    iterationsShown,
    iterationsTotal: report.input.iterations,
    clockHz: report.clockHz,
    rows,
    phases: phases.table,
    strings: strings.table,
    bars,
  };
}

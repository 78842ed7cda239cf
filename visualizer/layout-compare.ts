// The compare report as grouped bars (iterations/s relative to BP and utilisation per method and
// schedule, peak memory per level) and a plain table. Pure.
import type { CompareReport, CompareRow } from '../src/report/compare-report.js';
import type { GroupedBarsPanel, TablePanel } from './layout-types.js';

const unique = (xs: string[]): string[] => [...new Set(xs)];

function grid(rows: CompareRow[], groups: string[], series: string[], value: (r: CompareRow) => number): (number | null)[][] {
  return groups.map((g) => series.map((s) => {
    const row = rows.find((r) => r.method === g && r.schedule === s);
    return row === undefined ? null : value(row);
  }));
}

export function layoutCompare(report: CompareReport): { bars: GroupedBarsPanel[]; table: TablePanel } {
  const methods = unique(report.rows.map((r) => r.method));
  const schedules = unique(report.rows.map((r) => r.schedule));
  const levels = unique(report.rows.flatMap((r) => Object.keys(r.peakBytesByLevel)));
  const runLabel = (r: CompareRow): string => `${r.method} / ${r.schedule}`;
  const bars: GroupedBarsPanel[] = [
    { id: 'compare-ratio', title: 'Iterations/s relative to BP', unit: 'ratio', groups: methods, series: schedules, values: grid(report.rows, methods, schedules, (r) => r.ratioToBp), reference: 1 },
    { id: 'compare-memory', title: 'Peak memory per level', unit: 'bytes', groups: report.rows.map(runLabel), series: levels, values: report.rows.map((r) => levels.map((l) => r.peakBytesByLevel[l] ?? null)) },
    { id: 'compare-utilisation', title: 'Mean compute utilisation', unit: 'fraction', groups: methods, series: schedules, values: grid(report.rows, methods, schedules, (r) => r.utilisation) },
  ];
  const table: TablePanel = {
    id: 'compare-table',
    title: `${report.model} on ${report.hw} (K=${report.copies}, batch ${report.batch})`,
    columns: ['method', 'schedule', 'iterations/s', 'ratio to BP', ...levels.map((l) => `peak ${l} bytes`), 'utilisation'],
    rows: report.rows.map((r) => [r.method, r.schedule, r.iterationsPerSecond.toPrecision(4), r.ratioToBp.toFixed(2), ...levels.map((l) => String(r.peakBytesByLevel[l] ?? '')), r.utilisation.toFixed(3)]),
  };
  return { bars, table };
}

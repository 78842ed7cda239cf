// The compare report as horizontal bar lists, one bar per run (method / schedule), each bar labelled
// with its value so a short one is never invisible: iterations/s relative to BP on a log axis, peak
// memory per level (one chart per level; log when the runs differ by more than 30x), utilisation;
// and a table in the CLI's units. Pure.
import type { CompareReport, CompareRow } from '../src/report/compare-report.js';
import { formatBytes, formatNumber, formatPercent, needsLog } from './format.js';
import type { BarListPanel, TablePanel } from './layout-types.js';

const unique = (xs: string[]): string[] => [...new Set(xs)];
const runLabel = (r: CompareRow): string => `${r.method} / ${r.schedule}`;

/** The word beside a bar whose run did not fit ("infeasible": its numbers are 0) or does not fit `level`. */
function rowNote(r: CompareRow, level?: string): { note?: string } {
  const verdict = level === undefined ? undefined : r.levels?.find((l) => l.level === level)?.verdict;
  if (verdict === 'over-capacity') return { note: 'over capacity' };
  if (r.infeasible) return { note: 'infeasible' };
  if (level === undefined) return {};
  return verdict === 'spills' || (verdict === undefined && r.overflowLevels?.includes(level))
    ? { note: 'full: spills' }
    : {};
}

/** The level's capacity as a reference line where it is within 4x of the largest peak (else in the title). */
function capacityOf(
  rows: CompareRow[],
  level: string,
  values: number[],
): Pick<BarListPanel, 'reference'> & { text: string } {
  const capacities = [
    ...new Set(rows.flatMap((r) => r.levels?.filter((l) => l.level === level).map((l) => l.capacityBytes) ?? [])),
  ];
  if (capacities.length !== 1) return { text: '' };
  const capacity = capacities[0]!;
  const onScale = capacity <= 4 * Math.max(...values);
  return onScale
    ? { reference: { value: capacity, label: `capacity ${formatBytes(capacity)}` }, text: ' (dashed line: capacity)' }
    : { text: ` (capacity ${formatBytes(capacity)}, off scale)` };
}

function ratioPanel(rows: CompareRow[]): BarListPanel {
  return {
    id: 'compare-ratio',
    title: 'Iterations/s relative to BP',
    categoryLabel: 'run (method / schedule)',
    axis: { label: 'iterations/s relative to BP', unit: 'ratio', log: true },
    reference: { value: 1, label: 'BP' },
    bars: rows.map((r) => ({
      label: runLabel(r),
      value: r.ratioToBp,
      group: r.method,
      ...rowNote(r),
    })),
  };
}

function memoryPanel(rows: CompareRow[], level: string): BarListPanel {
  const values = rows.map((r) => r.peakBytesByLevel[level] ?? 0);
  const { text, ...reference } = capacityOf(rows, level, values);
  return {
    id: `compare-memory-${level.replace(/[^a-zA-Z0-9_-]/g, '_')}`,
    title: `Peak ${level} per run${text}`,
    ...reference,
    categoryLabel: 'run (method / schedule)',
    axis: { label: `peak ${level}`, unit: 'bytes', log: needsLog(values) },
    bars: rows.map((r, i) => ({
      label: runLabel(r),
      value: values[i]!,
      group: r.method,
      ...rowNote(r, level),
    })),
  };
}

function utilisationPanel(rows: CompareRow[]): BarListPanel {
  return {
    id: 'compare-utilisation',
    title: 'Mean compute utilisation',
    categoryLabel: 'run (method / schedule)',
    axis: { label: 'utilisation', unit: 'fraction' },
    maxValue: 1,
    bars: rows.map((r) => ({ label: runLabel(r), value: r.utilisation, group: r.method, ...rowNote(r) })),
  };
}

function compareTable(report: CompareReport, levels: string[]): TablePanel {
  const withBound = report.rows.some((r) => r.boundRatio !== undefined);
  return {
    id: 'compare-table',
    title: `${report.model} on ${report.hw} (K=${report.copies}, batch ${report.batch})`,
    columns: [
      'method',
      'schedule',
      'iterations/s',
      'ratio to BP',
      ...levels.map((l) => `peak ${l}`),
      'utilisation',
      ...(withBound ? ['x bound'] : []),
    ],
    rows: report.rows.map((r) => [
      r.method,
      r.schedule,
      r.infeasible ? 'infeasible' : formatNumber(r.iterationsPerSecond),
      r.infeasible ? '–' : formatNumber(Number(r.ratioToBp.toPrecision(3))),
      ...levels.map((l) => (r.peakBytesByLevel[l] === undefined ? '' : formatBytes(r.peakBytesByLevel[l]))),
      r.infeasible ? '–' : formatPercent(r.utilisation),
      ...(withBound
        ? [r.boundRatio === undefined ? '' : `${r.boundRatio.toFixed(2)} ${r.boundKind ?? ''}`.trim()]
        : []),
    ]),
  };
}

export function layoutCompare(report: CompareReport): { bars: BarListPanel[]; table: TablePanel } {
  const levels = unique(report.rows.flatMap((r) => Object.keys(r.peakBytesByLevel)));
  const bars = [
    ratioPanel(report.rows),
    ...levels.map((l) => memoryPanel(report.rows, l)),
    utilisationPanel(report.rows),
  ];
  return { bars, table: compareTable(report, levels) };
}

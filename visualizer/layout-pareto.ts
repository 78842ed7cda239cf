// The sweep's points as a scatter of peak memory (x) against iterations/s (y), the Pareto front
// highlighted and joined, and the front as a table. Configurations with the same results share one
// point and one table row (their differing parameters listed together), so the chart shows distinct
// points and the table no repeated rows. Pure.
import type { SweepPoint, SweepReport } from '../src/report/sweep-report.js';
import { formatBytes, formatNumber, needsLog } from './format.js';
import type { ScatterPanel, TablePanel } from './layout-types.js';

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Points grouped by a key of their results, in first-seen order. */
function groupBy(points: readonly SweepPoint[], key: (p: SweepPoint) => string): SweepPoint[][] {
  const groups = new Map<string, SweepPoint[]>();
  for (const p of points) groups.set(key(p), [...(groups.get(key(p)) ?? []), p]);
  return [...groups.values()];
}

/** Each parameter's distinct values over the group: "copies=2, memory=64 KiB | 512 KiB". */
function parameterText(names: readonly string[], group: readonly SweepPoint[]): string[] {
  return names.map((n) => [...new Set(group.map((p) => String(p.parameters[n])))].join(' | '));
}

function pointLabel(names: readonly string[], group: readonly SweepPoint[]): string {
  const p = group[0]!;
  const params = parameterText(names, group).map((v, i) => `${names[i]}=${v}`);
  const energy = p.energyJoules === undefined ? [] : [`energy ${formatNumber(p.energyJoules)} J`];
  const count = group.length > 1 ? [`${group.length} configurations with these results`] : [];
  return [
    ...count,
    ...params,
    `${formatNumber(p.iterationsPerSecond)} iterations/s`,
    `peak ${formatBytes(p.peakBytes)}`,
    ...energy,
  ].join('\n');
}

export function layoutPareto(report: SweepReport): ScatterPanel {
  const groups = groupBy(report.points, (p) => `${p.peakBytes}/${p.iterationsPerSecond}`);
  const points = groups.map((g) => ({
    x: g[0]!.peakBytes,
    y: g[0]!.iterationsPerSecond,
    highlighted: g.some((p) => p.pareto),
    count: g.length,
    label: pointLabel(report.parameters, g),
  }));
  const front = points
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.highlighted)
    .sort((a, b) => a.p.x - b.p.x || b.p.y - a.p.y)
    .map(({ i }) => i);
  const withEnergy = report.points.some((p) => p.energyJoules !== undefined);
  const objectives = withEnergy ? 'iterations/s, peak memory and energy' : 'iterations/s and peak memory';
  return {
    id: 'sweep-pareto',
    title: `Sweep: ${count(report.points.length, 'configuration')}, ${count(points.length, 'distinct result')}, ${front.length} on the Pareto front`,
    xAxis: { label: 'peak memory', unit: 'bytes', log: needsLog(points.map((p) => p.x)) },
    yAxis: { label: 'throughput', unit: 'per-second', unitText: 'iterations/s', log: needsLog(points.map((p) => p.y)) },
    points,
    front,
    note: `Front (red, joined): not dominated in ${objectives}${withEnergy ? ' (a front point can look dominated here, where energy is not drawn)' : ''}. Hover a point for its configurations.`,
  };
}

export function paretoTable(report: SweepReport): TablePanel {
  const front = report.points.filter((p) => p.pareto);
  const groups = groupBy(front, (p) => `${p.peakBytes}/${p.iterationsPerSecond}/${p.energyJoules}`).sort(
    (a, b) => a[0]!.peakBytes - b[0]!.peakBytes,
  );
  const withEnergy = front.some((p) => p.energyJoules !== undefined);
  return {
    id: 'sweep-table',
    title: `Pareto front: ${count(groups.length, 'distinct result')} of ${count(front.length, 'configuration')}`,
    columns: [
      ...report.parameters,
      'configurations',
      'iterations/s',
      'peak memory',
      ...(withEnergy ? ['energy (J)'] : []),
    ],
    rows: groups.map((g) => {
      const p = g[0]!;
      const energy = p.energyJoules === undefined ? '–' : formatNumber(p.energyJoules);
      return [
        ...parameterText(report.parameters, g),
        String(g.length),
        formatNumber(p.iterationsPerSecond),
        formatBytes(p.peakBytes),
        ...(withEnergy ? [energy] : []),
      ];
    }),
    note: 'Configurations with the same results share a row; a parameter with several values lists them separated by |.',
  };
}

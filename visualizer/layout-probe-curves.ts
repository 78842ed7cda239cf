// Probe plots: per-layer cosine to the BP gradient and norm ratio, one line per method and K, with
// the layers as x ticks. Pure.
import type { ProbeReport } from '../src/report/probe-report.js';
import type { LinePanel } from './layout-types.js';

export function layoutProbeCurves(report: ProbeReport): [LinePanel, LinePanel] {
  const longest = report.runs.reduce<string[]>(
    (best, r) => (r.layers.length > best.length ? r.layers.map((l) => l.layer) : best),
    [],
  );
  const series = (value: (l: ProbeReport['runs'][number]['layers'][number]) => number): LinePanel['series'] =>
    report.runs.map((r) => ({
      name: `${r.method} K=${r.copies}`,
      points: r.layers.map((l, i): [number, number] => [i, value(l)]),
    }));
  const xAxis = { label: 'layer', unit: 'plain', unitText: 'name' } as const;
  return [
    {
      id: 'probe-cosine',
      title: `Cosine to BP per layer (${report.model})`,
      xAxis,
      yAxis: { label: 'cosine to the BP gradient', unit: 'plain', unitText: '−1 to 1' },
      xTicks: longest,
      yDomain: [-1, 1],
      series: series((l) => l.cosineToBp),
    },
    {
      id: 'probe-norm',
      title: 'Gradient norm ratio to BP per layer',
      xAxis,
      yAxis: { label: '‖g‖ / ‖g_BP‖', unit: 'ratio', log: true },
      xTicks: longest,
      series: series((l) => l.normRatio),
    },
  ];
}

// The sweep's points as a scatter of peak memory (x) against iterations/s (y), the Pareto front
// highlighted and joined, each point labelled with its parameters for the hover text. Pure.
import type { SweepReport } from '../src/report/sweep-report.js';
import type { ScatterPanel } from './layout-types.js';

export function layoutPareto(report: SweepReport): ScatterPanel {
  const label = (p: SweepReport['points'][number]): string => {
    const params = report.parameters.map((name) => `${name}=${String(p.parameters[name])}`);
    const energy = p.energyJoules === undefined ? [] : [`energy=${p.energyJoules.toPrecision(3)} J`];
    return [...params, `iterations/s=${p.iterationsPerSecond.toPrecision(4)}`, `peak=${p.peakBytes} B`, ...energy].join(', ');
  };
  const points = report.points.map((p) => ({ x: p.peakBytes, y: p.iterationsPerSecond, highlighted: p.pareto, label: label(p) }));
  const front = points.map((p, i) => ({ p, i })).filter(({ p }) => p.highlighted).sort((a, b) => a.p.x - b.p.x).map(({ i }) => i);
  return { id: 'sweep-pareto', title: `Sweep: ${report.points.length} points, ${front.length} on the Pareto front`, xLabel: 'peak memory', yLabel: 'iterations/s', xUnit: 'bytes', yUnit: 'per-second', points, front };
}

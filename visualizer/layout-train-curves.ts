// Learning curves from a TrainReport: one panel per metric, one line per method (and K), x = step. Pure.
import type { TrainReport } from '../src/report/train-report.js';
import type { LinePanel } from './layout-types.js';

/** A diverged run's panels say where it stopped: the curves end at the step before. */
function titleSuffix(report: TrainReport): string {
  return report.status === 'diverged' ? `, diverged at step ${report.divergedAtStep ?? '?'}` : '';
}

export function layoutTrainCurves(report: TrainReport): LinePanel[] {
  const metrics = [...new Set(report.curves.flatMap((c) => c.points.flatMap((p) => Object.keys(p.metrics))))];
  return metrics.map((metric) => ({
    id: `train-${metric}`,
    title: `${metric} (${report.model} on ${report.dataset}${titleSuffix(report)})`,
    xLabel: 'step',
    yLabel: metric,
    unit: 'plain',
    yDomain: /accuracy/.test(metric) ? [0, 1] : undefined,
    series: report.curves.map((c) => ({
      name: c.copies === undefined ? c.method : `${c.method} K=${c.copies}`,
      points: c.points.flatMap((p): [number, number][] =>
        p.metrics[metric] === undefined ? [] : [[p.step, p.metrics[metric]]],
      ),
    })),
  }));
}

// Converts sweep results into the visualizer's SweepReport (src/report/sweep-report.ts): the ok
// points with their swept parameters, throughput, peak memory, energy and Pareto flag. Infeasible
// and failed points have no metrics to plot and are left out (they stay in results.jsonl/csv).
import type { SweepReport } from '../report/sweep-report.js';
import { pointParameters, sweptParameters } from './point-parameters.js';
import type { PointResult } from './types.js';

export function toSweepReport(rows: readonly PointResult[]): SweepReport {
  const parameters = sweptParameters(rows);
  const points = rows.flatMap((r) => {
    if (r.status !== 'ok' || r.iterationsPerSecond === undefined || r.peakMemoryBytes === undefined) return [];
    const all = pointParameters(r.point);
    const energy = r.energyJoulesPerIteration === undefined ? {} : { energyJoules: r.energyJoulesPerIteration };
    return [
      {
        parameters: Object.fromEntries(parameters.map((n) => [n, all[n] ?? ''])),
        iterationsPerSecond: r.iterationsPerSecond,
        peakBytes: r.peakMemoryBytes,
        ...energy,
        pareto: r.pareto === true,
      },
    ];
  });
  return { kind: 'sweep-report', version: 1, parameters, points };
}

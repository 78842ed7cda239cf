// What a simulation predicts in seconds: the steady-state iteration, and per graph node the time its
// tasks keep their units busy in one iteration (over all its micro-batches, tiles and cores), from
// the report's timeline. On a one-core model such as `hw calibrate`'s, a node's busy time is its
// share of the iteration's wall time, which is what train --profile measures per node.
import type { SimPrediction, SimReport } from './sim-report.js';

export function simPrediction(report: Pick<SimReport, 'clockHz' | 'cycles' | 'timeline'>): SimPrediction {
  const busy = new Map<string, { op: string; cycles: number }>();
  const iterations = new Set(report.timeline.map((e) => e.iteration));
  // The last iteration the timeline kept: past the first's warm-up where there are several.
  const iteration = Math.max(...iterations);
  for (const e of report.timeline) {
    if (e.iteration !== iteration) continue;
    const entry = busy.get(e.node) ?? { op: e.op, cycles: 0 };
    entry.cycles += e.end - e.start;
    busy.set(e.node, entry);
  }
  const nodes = [...busy].map(([id, b]) => ({ id, op: b.op, seconds: b.cycles / report.clockHz }));
  nodes.sort((a, b) => b.seconds - a.seconds);
  return { secondsPerIteration: report.cycles.steadyStatePerIteration / report.clockHz, nodes };
}

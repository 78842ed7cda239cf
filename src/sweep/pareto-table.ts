// The Pareto front as a plain-text table for the terminal: the swept parameters, then throughput,
// peak memory and (when present) energy, sorted by peak memory. Formatting only.
import { pointParameters, sweptParameters } from './point-parameters.js';
import type { PointResult } from './types.js';

const mib = (bytes: number | undefined): string => (bytes === undefined ? '' : (bytes / 2 ** 20).toFixed(3));
const sig = (x: number | undefined, digits = 4): string =>
  x === undefined ? '' : Number(x.toPrecision(digits)).toString();

/** Columns padded to their widest cell; `rows` are all results (for which parameters vary), `front` the marked ones. */
export function formatParetoTable(rows: readonly PointResult[], front: readonly PointResult[]): string {
  const names = sweptParameters(rows);
  const withEnergy = front.some((r) => r.energyJoulesPerIteration !== undefined);
  const header = [...names, 'iter/s', 'samples/s', 'peak MiB', ...(withEnergy ? ['mJ/iter'] : [])];
  const sorted = [...front].sort((a, b) => (a.peakMemoryBytes ?? 0) - (b.peakMemoryBytes ?? 0));
  const body = sorted.map((r) => {
    const params = pointParameters(r.point);
    const energy = r.energyJoulesPerIteration === undefined ? '' : sig(r.energyJoulesPerIteration * 1e3);
    return [
      ...names.map((n) => String(params[n] ?? '')),
      sig(r.iterationsPerSecond),
      sig(r.samplesPerSecond),
      mib(r.peakMemoryBytes),
      ...(withEnergy ? [energy] : []),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

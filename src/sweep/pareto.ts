// The Pareto front of a sweep: among the points that simulated ('ok'), those no other point beats
// on every objective at once. Objectives: iterations/s (higher is better) against peak memory (lower
// is better), plus energy per iteration (lower) when every ok point has it. Plain O(n^2) dominance,
// which is instant for the thousands of points a sweep holds. It does not print (see pareto-table.ts).
import type { SweepObjective } from './spec.js';
import type { PointResult } from './types.js';

export interface Objective {
  name: string;
  sense: 'max' | 'min';
  value: (r: PointResult) => number | undefined;
}

export const throughputObjective: Objective = {
  name: 'iterationsPerSecond',
  sense: 'max',
  value: (r) => r.iterationsPerSecond,
};
export const memoryObjective: Objective = { name: 'peakMemoryBytes', sense: 'min', value: (r) => r.peakMemoryBytes };
export const energyObjective: Objective = {
  name: 'energyJoulesPerIteration',
  sense: 'min',
  value: (r) => r.energyJoulesPerIteration,
};

const byName: Record<SweepObjective, Objective> = {
  throughput: throughputObjective,
  memory: memoryObjective,
  energy: energyObjective,
};

/** The objectives a spec names. */
export function namedObjectives(names: readonly SweepObjective[]): Objective[] {
  return names.map((n) => byName[n]);
}

/** The objectives that apply to these rows: energy only when every ok row has it. */
export function objectivesFor(rows: readonly PointResult[]): Objective[] {
  const ok = rows.filter((r) => r.status === 'ok');
  const withEnergy = ok.length > 0 && ok.every((r) => r.energyJoulesPerIteration !== undefined);
  return withEnergy ? [throughputObjective, memoryObjective, energyObjective] : [throughputObjective, memoryObjective];
}

/** Objective values oriented so that larger is better. */
function oriented(r: PointResult, objectives: readonly Objective[]): number[] | undefined {
  const out: number[] = [];
  for (const o of objectives) {
    const v = o.value(r);
    if (v === undefined || !Number.isFinite(v)) return undefined;
    out.push(o.sense === 'max' ? v : -v);
  }
  return out;
}

/** a dominates b: at least as good everywhere and strictly better somewhere. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let strictly = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return false;
    if (a[i]! > b[i]!) strictly = true;
  }
  return strictly;
}

/** The non-dominated ok rows (ties all stay on the front), in input order. */
export function paretoFront(
  rows: readonly PointResult[],
  objectives: readonly Objective[] = objectivesFor(rows),
): PointResult[] {
  const scored = rows.flatMap((r) => {
    const v = r.status === 'ok' ? oriented(r, objectives) : undefined;
    return v ? [{ r, v }] : [];
  });
  return scored.filter((a) => !scored.some((b) => dominates(b.v, a.v))).map((a) => a.r);
}

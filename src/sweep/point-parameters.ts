// The swept parameters of a point as flat name -> value pairs, shared by the Pareto table, the CSV
// reader and the visualizer's SweepReport. Only the names that vary across the given points are
// "swept"; the rest are constants of the sweep.
import type { PointResult, SweepPoint } from './types.js';

export type ParameterValue = string | number | boolean;

/** Every parameter of a point, hardware fields as "hw:PATH". */
export function pointParameters(p: SweepPoint): Record<string, ParameterValue> {
  const model = typeof p.model === 'string' ? p.model : JSON.stringify(p.model);
  const out: Record<string, ParameterValue> = {
    model,
    method: p.method,
    copies: p.copies,
    schedule: p.schedule,
    batch: p.batch,
    microBatches: p.microBatches ?? 'default',
    staleness: p.staleness ?? 'default',
    noiseStorage: p.noiseStorage ?? 'default',
  };
  for (const [field, v] of Object.entries(p.hwOverrides)) out[`hw:${field}`] = v;
  return out;
}

/** Names whose value differs between at least two of the rows, in a fixed order. */
export function sweptParameters(rows: readonly PointResult[]): string[] {
  const seen = new Map<string, Set<string>>();
  for (const r of rows) {
    for (const [name, v] of Object.entries(pointParameters(r.point))) {
      const set = seen.get(name) ?? new Set<string>();
      set.add(String(v));
      seen.set(name, set);
    }
  }
  return [...seen.entries()].filter(([, values]) => values.size > 1).map(([name]) => name);
}

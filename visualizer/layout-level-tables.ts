// The report's memory-level tables: bytes per iteration across each pair of adjacent levels (the
// staging of reads inward and writes outward) and which tensor lives on which level and why (the
// largest first, at most 60 rows; every row is in the JSON). Empty for reports written before the
// fields existed. Pure.
import type { SimReport } from '../src/report/sim-report.js';
import { formatBytes } from './format.js';
import type { TablePanel } from './layout-types.js';

const placementRowLimit = 60;

export function levelPairTable(sim: SimReport): TablePanel {
  return {
    id: 'level-pair-table',
    title: 'Traffic between adjacent memory levels (per iteration)',
    columns: ['from', 'to', 'bytes', 'by class'],
    rows: (sim.trafficByLevelPair ?? []).map((p) => [
      p.from,
      p.to,
      formatBytes(p.bytesPerIteration),
      Object.entries(p.bytesByClass)
        .map(([cls, b]) => `${cls} ${formatBytes(b ?? 0)}`)
        .join(', '),
    ]),
    note: 'Every access moves level by level between the level its tensor lives on and the core; a matrix-product operand the levels below a boundary cannot hold whole crosses it once per tile (output-stationary tiles sized to those levels).',
  };
}

export function placementTable(sim: SimReport): TablePanel {
  const rows = sim.placements ?? [];
  return {
    id: 'placement-table',
    title: 'Where each tensor lives, and why',
    columns: ['tensor', 'class', 'level', 'bytes', 'slots', 'reason'],
    rows: rows
      .slice(0, placementRowLimit)
      .map((p) => [p.tensor, p.cls, p.level, formatBytes(p.bytes), String(p.slots), p.reason]),
    ...(rows.length > placementRowLimit
      ? {
          note: `The ${placementRowLimit} largest of ${rows.length} tensors; every one is in the JSON report (placements).`,
        }
      : {}),
  };
}

// The summary table's lines for staging and placement: bytes per iteration across each pair of
// adjacent levels, and per level how many tensors live there and how many bytes (each tensor with
// its reason is in the JSON report's `placements`). Pure text over a SimReport.
import { formatBytes } from '../src/compiler/feasibility.js';
import type { SimReport } from '../src/report/sim-report.js';

const label = (s: string): string => `  ${s.padEnd(22)} `;

/**
 * "  traffic hbm -> sram     1.2 MiB per iteration (weight 1.0 MiB, activation 200 KiB)", one per
 * pair, then "  first load hbm -> sram  ... once, in iteration 0 (weight ...)" per pair of the first load.
 */
export function levelPairLines(r: SimReport): string[] {
  const classes = (bytesByClass: Partial<Record<string, number>>): string =>
    Object.entries(bytesByClass)
      .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
      .map(([cls, bytes]) => `${cls} ${formatBytes(bytes ?? 0)}`)
      .join(', ');
  return [
    ...(r.trafficByLevelPair ?? []).map(
      (p) =>
        `${label(`traffic ${p.from} -> ${p.to}`)}${formatBytes(p.bytesPerIteration)} per iteration (${classes(p.bytesByClass)})`,
    ),
    ...(r.firstLoadByLevelPair ?? []).map(
      (p) =>
        `${label(`first load ${p.from} -> ${p.to}`)}${formatBytes(p.bytes)} once, in iteration 0 (${classes(p.bytesByClass)})`,
    ),
  ];
}

/** "  placed                 l1: 4 tensors, 96 KiB; l2: 9 tensors, 7.2 MiB; ... (why: --json placements)". */
export function placementLine(r: SimReport): string[] {
  const rows = r.placements;
  if (!rows || rows.length === 0) return [];
  const byLevel = new Map<string, { tensors: number; bytes: number; spilled: number }>();
  for (const p of rows) {
    const s = byLevel.get(p.level) ?? { tensors: 0, bytes: 0, spilled: 0 };
    s.tensors++;
    s.bytes += p.bytes;
    if (p.reason.includes('spilled')) s.spilled++;
    byLevel.set(p.level, s);
  }
  const parts = [...byLevel].map(
    ([level, s]) =>
      `${level}: ${s.tensors} tensors, ${formatBytes(s.bytes)}${s.spilled > 0 ? ` (${s.spilled} spilled)` : ''}`,
  );
  return [`${label('placed')}${parts.join('; ')} (each tensor and why: --json placements)`];
}

// The report's view of the memory levels beyond peaks: the bytes staged across each pair of
// adjacent levels per iteration (reads inward, writes outward; spill traffic, which goes straight
// off-chip, is in `traffic` per level), and which tensor lives where and why (the mapper's reason,
// with the spill of an instance that holds more than its capacity). Pure over the compiled step and
// the memory system's demands.
import { copiesOn, mirrorsOf } from './lockstep.js';
import type { CompiledStep, TensorPlacement } from '../src/compiler/types.js';
import { formatBytes } from '../src/compiler/feasibility.js';
import { residentRoom } from '../src/compiler/tile.js';
import type { FirstLoadTraffic, LevelPairTraffic, PlacementRow } from '../src/report/sim-report.js';
import { instanceKey, type MemorySystem, type TaskDemand } from './units/memory.js';

/** Bytes per iteration across each boundary, reads (outer to inner) first, outermost boundary first. */
export function levelPairTraffic(step: CompiledStep, demand: readonly TaskDemand[]): LevelPairTraffic[] {
  const names = step.hw.memory.map((m) => m.name);
  const rows = new Map<string, LevelPairTraffic & { order: number }>();
  for (const d of demand)
    for (const p of d.pairs) {
      const write = p.write;
      const [from, to] = write ? [p.inner, p.outer] : [p.outer, p.inner];
      const key = `${from}>${to}`;
      const row = rows.get(key) ?? {
        from: names[from]!,
        to: names[to]!,
        bytesPerIteration: 0,
        bytesByClass: {},
        order: (write ? names.length : 0) + (names.length - p.outer),
      };
      row.bytesPerIteration += p.bytes;
      row.bytesByClass[p.cls] = (row.bytesByClass[p.cls] ?? 0) + p.bytes;
      rows.set(key, row);
    }
  return [...rows.values()].sort((a, b) => a.order - b.order).map(({ order: _, ...row }) => row);
}

/**
 * The first load (iteration 0 only): bytes of the persistent tensors that live on chip brought in
 * from off-chip (or from a chip-wide level a load already filled), per pair of adjacent levels,
 * outermost first. Not in `trafficByLevelPair`, which is the steady traffic of every iteration.
 */
export function firstLoadTraffic(step: CompiledStep, mem: MemorySystem): FirstLoadTraffic[] {
  const names = step.hw.memory.map((m) => m.name);
  const rows = new Map<number, FirstLoadTraffic>();
  const mirrors = mirrorsOf(step);
  for (const loads of mem.firstLoads.values())
    for (const load of loads)
      for (let j = load.from; j > load.home.levelIndex; j--) {
        const row = rows.get(j) ?? { from: names[j]!, to: names[j - 1]!, bytes: 0, bytesByClass: {} };
        const bytes = load.bytes * copiesOn(mirrors, load.home.core);
        row.bytes += bytes;
        row.bytesByClass[load.cls] = (row.bytesByClass[load.cls] ?? 0) + bytes;
        rows.set(j, row);
      }
  return [...rows].sort(([a], [b]) => b - a).map(([, row]) => row);
}

/** "fits", "l1 full (60 KiB live + 8 KiB > 64 KiB); fits l2", "step input or labels: stays off-chip", ... */
export function placementReason(step: CompiledStep, p: TensorPlacement): string {
  const why = p.why;
  if (!why) return '';
  const room = (level: string): number =>
    residentRoom(
      step.hw,
      step.hw.memory.findIndex((m) => m.name === level),
    );
  const full = why.full.map(([level, live]) => {
    const reserve = room(level) < step.hw.memory.find((m) => m.name === level)!.capacityBytes;
    return `${level} full (${formatBytes(live)} live + ${formatBytes(p.bytes)} > ${formatBytes(room(level))}${reserve ? ', half its capacity: the rest is for staged blocks' : ''})`;
  });
  const last = {
    fits: full.length === 0 ? 'fits' : `fits ${p.level}`,
    'shared-copy': `shares the one copy on ${p.level}`,
    'off-chip': 'off-chip',
    'step-input': 'step input or labels: stays off-chip',
    'one-level': 'one memory level',
  }[why.kind];
  return [...full, last].join('; ');
}

/** Placements summed per tensor and level, the largest first, each with why it is there (and the level's spill, if any). */
export function placementRows(step: CompiledStep, mem: MemorySystem): PlacementRow[] {
  const rows = new Map<string, PlacementRow>();
  const mirrors = mirrorsOf(step);
  for (const p of step.placements) {
    const key = `${p.tensor}\u0000${p.level}`;
    const row = rows.get(key);
    const scope = step.hw.memory.find((m) => m.name === p.level)?.scope;
    const copies = scope === 'chip' ? 1 : copiesOn(mirrors, p.core);
    if (row) {
      row.bytes += p.bytes * copies;
      row.slots += copies;
      continue;
    }
    const inst = mem.instances.get(instanceKey(p.level, scope === 'chip' ? -1 : Math.max(0, p.core)));
    const spill =
      inst && inst.spillFraction > 0
        ? `; spilled: ${p.level}'s peak is over its capacity ${formatBytes(inst.spec.capacityBytes)}, so ${(100 * inst.spillFraction).toFixed(1)} % of its accesses also go off-chip`
        : '';
    rows.set(key, {
      tensor: p.tensor,
      cls: p.cls,
      level: p.level,
      bytes: p.bytes * copies,
      slots: copies,
      reason: placementReason(step, p) + spill,
    });
  }
  return [...rows.values()].sort((a, b) => b.bytes - a.bytes || a.tensor.localeCompare(b.tensor));
}

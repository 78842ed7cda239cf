// Feasibility: for every memory level instance (a level, on one core for per-core levels), the
// peak of live bytes over the task order (a tensor is live from its producing task to its last
// reader; persistent tensors always) against the level's capacity. Each shortfall names what
// dominates the peak, e.g. `noise of conv3 needs 18.0 MiB on level sram (capacity 8 MiB) under
// schedule layer-pipelined`. Not a timing check: the simulator turns bandwidth into stalls.
import type { HwModel } from '../hw/types.js';
import type { Feasibility, Task, TensorPlacement } from './types.js';
import type { Graph } from '../ir/types.js';

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[u]}`;
}

interface Peak {
  bytes: number;
  /** What is live at the peak, by class and layer (asked only of a level over its capacity). */
  contributors: () => Map<string, number>;
}

/**
 * Peak live bytes over the task order: each placement allocates at its first task's position and
 * frees half a position after its last; events in order of position, then by change (frees before
 * allocations), then as listed (allocation before free of one placement). Event e belongs to
 * placement e >> 1 (allocation when even); positions are kept doubled, so each is a whole number.
 */
function peakOf(placements: TensorPlacement[], position: Map<string, number>, taskCount: number, graph: Graph): Peak {
  const slot = new Int32Array(2 * placements.length);
  const delta = new Float64Array(2 * placements.length);
  placements.forEach((pl, i) => {
    const from = pl.persistent || !pl.firstTask ? 0 : (position.get(pl.firstTask) ?? 0);
    const to = pl.persistent || !pl.lastTask ? taskCount : (position.get(pl.lastTask) ?? taskCount);
    slot[2 * i] = 2 * from;
    delta[2 * i] = pl.bytes;
    slot[2 * i + 1] = 2 * Math.max(from, to) + 1;
    delta[2 * i + 1] = -pl.bytes;
  });
  const order = eventOrder(slot, delta, 2 * taskCount + 2);
  let live = 0;
  let best = 0;
  let bestIndex = -1;
  for (let i = 0; i < order.length; i++) {
    live += delta[order[i]!]!;
    if (live > best) {
      best = live;
      bestIndex = i;
    }
  }
  const events = () =>
    Array.from(order.subarray(0, bestIndex + 1), (e) => ({ delta: delta[e]!, pl: placements[e >> 1]! }));
  return { bytes: best, contributors: () => contributorsAt(events(), graph) };
}

/** Event indices by slot (a counting sort, stable), each slot's run then by delta, ties in index order. */
function eventOrder(slot: Int32Array, delta: Float64Array, slots: number): Uint32Array {
  const start = new Int32Array(slots + 1);
  for (const s of slot) start[s + 1]!++;
  for (let s = 0; s < slots; s++) start[s + 1]! += start[s]!;
  const order = new Uint32Array(slot.length);
  const next = start.slice(0, slots);
  for (let e = 0; e < slot.length; e++) order[next[slot[e]!]!++] = e;
  const byDelta = (a: number, b: number) => delta[a]! - delta[b]! || a - b;
  for (let s = 0; s < slots; s++)
    if (start[s + 1]! - start[s]! > 1) order.subarray(start[s]!, start[s + 1]!).sort(byDelta);
  return order;
}

/** Bytes live after `events`, by class and layer. */
function contributorsAt(events: { delta: number; pl: TensorPlacement }[], graph: Graph): Map<string, number> {
  const alive = new Map<TensorPlacement, number>();
  for (const e of events) alive.set(e.pl, (alive.get(e.pl) ?? 0) + e.delta);
  const contributors = new Map<string, number>();
  for (const [pl, bytes] of alive) {
    if (bytes <= 0) continue;
    const key = `${pl.cls} of ${graph.tensors[pl.tensor]?.layer ?? pl.tensor}`;
    contributors.set(key, (contributors.get(key) ?? 0) + bytes);
  }
  return contributors;
}

export function checkFeasibility(
  graph: Graph,
  hw: HwModel,
  schedule: string,
  tasks: Task[],
  placements: TensorPlacement[],
): Feasibility {
  const position = new Map(tasks.map((t, i) => [t.id, i]));
  const instances = new Map<string, TensorPlacement[]>();
  for (const pl of placements) {
    const key = `${pl.level}\u0000${pl.core}`;
    const list = instances.get(key);
    if (list) list.push(pl);
    else instances.set(key, [pl]);
  }
  const shortfalls: string[] = [];
  let overBy = 0;
  for (const [key, list] of [...instances].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const [levelName, coreText] = key.split('\u0000') as [string, string];
    const level = hw.memory.find((l) => l.name === levelName)!;
    const peak = peakOf(list, position, tasks.length, graph);
    overBy = Math.max(overBy, peak.bytes / Math.max(1, level.capacityBytes));
    if (peak.bytes <= level.capacityBytes) continue;
    const core = coreText === '-1' ? '' : ` of core ${coreText}`;
    const where = `level ${levelName}${core} (capacity ${formatBytes(level.capacityBytes)}) under schedule ${schedule}`;
    const ranked = [...peak.contributors()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const [topName, topBytes] = ranked[0] ?? ['tensors', peak.bytes];
    if (topBytes > level.capacityBytes) {
      shortfalls.push(`${topName} needs ${formatBytes(topBytes)} on ${where}`);
    } else {
      const largest = ranked
        .slice(0, 3)
        .map(([name, bytes]) => `${name} ${formatBytes(bytes)}`)
        .join(', ');
      shortfalls.push(`${formatBytes(peak.bytes)} live at peak on ${where}; largest: ${largest}`);
    }
  }
  return { ok: shortfalls.length === 0, shortfalls, overBy };
}

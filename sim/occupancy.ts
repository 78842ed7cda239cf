// Memory occupancy over time from tensor placements and the simulated task times: each placement
// occupies its level instance from its producing task's start to its last reader's end, once per
// iteration (persistent tensors for the whole run). Gives peak and time-weighted bytes per class and
// a down-sampled timeline. Time-weighted bytes are sum(bytes x lifetime) / total cycles (Little's law).
import type { CompiledStep } from '../src/compiler/types.js';
import type { TensorClass } from '../src/ir/types.js';
import type { MemorySample, MemoryStats } from '../src/report/sim-report.js';
import { instanceKey, type MemorySystem } from './units/memory.js';

export interface Interval {
  key: string;
  cls: TensorClass;
  bytes: number;
  from: number;
  to: number;
}

/** Lifetimes of every placement instance, unrolled over iterations. */
export function placementIntervals(
  step: CompiledStep,
  mem: MemorySystem,
  start: Float64Array,
  end: Float64Array,
  iterations: number,
  totalCycles: number,
): Interval[] {
  const n = step.tasks.length;
  const ids = new Map(step.tasks.map((t, i) => [t.id, i]));
  const iterStart: number[] = [];
  const iterEnd: number[] = [];
  for (let it = 0; it < iterations; it++) {
    let lo = Infinity;
    let hi = 0;
    for (let t = 0; t < n; t++) {
      lo = Math.min(lo, start[it * n + t]!);
      hi = Math.max(hi, end[it * n + t]!);
    }
    iterStart.push(n === 0 ? 0 : lo);
    iterEnd.push(hi);
  }
  const out: Interval[] = [];
  for (const p of step.placements) {
    const inst = mem.instance(p.level, p.core);
    if (!inst) continue;
    if (p.persistent) {
      out.push({ key: inst.key, cls: p.cls, bytes: p.bytes, from: 0, to: totalCycles });
      continue;
    }
    const first = p.firstTask === undefined ? undefined : ids.get(p.firstTask);
    const last = p.lastTask === undefined ? undefined : ids.get(p.lastTask);
    for (let it = 0; it < iterations; it++) {
      const from = first === undefined ? iterStart[it]! : start[it * n + first]!;
      // Read in the next body (software pipelining): the last iteration's reader is never simulated.
      const readerIt = p.readNextIteration ? it + 1 : it;
      const readEnd =
        last === undefined ? iterEnd[it]! : readerIt < iterations ? end[readerIt * n + last]! : totalCycles;
      const to = Math.max(from, readEnd);
      out.push({ key: inst.key, cls: p.cls, bytes: p.bytes, from, to });
    }
  }
  return out;
}

/** Peak bytes live at once per instance key (placements whole, before any spill). */
export function peaksByInstance(intervals: Interval[]): Map<string, number> {
  const byKey = groupByKey(intervals);
  return new Map([...byKey].map(([key, ivs]) => [key, wholePeak(ivs) ?? sweep(ivs).peak]));
}

/**
 * The peak of intervals of whole bytes at whole cycles, by a native sort of (cycle, end index)
 * packed in one double: with whole bytes the sum at each cycle is exact in any order, so it equals
 * the sweep's. Undefined when the packing would not be exact (then the sweep decides).
 */
function wholePeak(intervals: Interval[]): number | undefined {
  const ends = 2 * intervals.length;
  const scale = 2 ** Math.ceil(Math.log2(ends + 1));
  let last = 0;
  for (const iv of intervals) {
    if (!Number.isInteger(iv.bytes) || !Number.isInteger(iv.from) || !Number.isInteger(iv.to) || iv.from < 0) return;
    last = Math.max(last, iv.to);
  }
  if ((last + 1) * scale > Number.MAX_SAFE_INTEGER) return;
  const keys = new Float64Array(ends);
  intervals.forEach((iv, i) => {
    keys[2 * i] = iv.from * scale + 2 * i;
    keys[2 * i + 1] = iv.to * scale + 2 * i + 1;
  });
  keys.sort();
  let live = 0;
  let peak = 0;
  for (let k = 0; k < ends; k++) {
    const p = keys[k]! % scale;
    const iv = intervals[p >> 1]!;
    live += p & 1 ? -iv.bytes : iv.bytes;
    if (k + 1 === ends || Math.floor(keys[k + 1]! / scale) !== Math.floor(keys[k]! / scale))
      peak = Math.max(peak, live);
  }
  return peak;
}

/** Splits each lifetime of a spilling instance: the resident share stays, the spilled share lives on the next level. */
export function residentIntervals(mem: MemorySystem, intervals: Interval[]): Interval[] {
  return intervals.flatMap((iv) => {
    const inst = mem.instances.get(iv.key);
    const next = inst ? mem.spillTarget(inst) : undefined;
    if (!inst || !next) return [iv];
    const f = inst.spillFraction;
    return [
      { ...iv, bytes: iv.bytes * (1 - f) },
      { ...iv, key: next.key, bytes: iv.bytes * f },
    ];
  });
}

function groupByKey(intervals: Interval[]): Map<string, Interval[]> {
  const byKey = new Map<string, Interval[]>();
  for (const iv of intervals) {
    const list = byKey.get(iv.key);
    if (list) list.push(iv);
    else byKey.set(iv.key, [iv]);
  }
  return byKey;
}

interface Swept {
  peak: number;
  /** Peak of each class alone (its own frees and allocations), classes in order of first interval. */
  classPeaks: Map<TensorClass, number>;
  /** Live bytes by class after each distinct cycle, down-sampled to at most `limit` (every stride-th and the last). */
  samples: MemorySample[];
}

/** Interval ends sorted by cycle, frees before allocations at the same cycle, then in interval order. */
function sortedEnds(intervals: Interval[]): { at: Float64Array; d: Float64Array; order: Uint32Array } {
  const m = intervals.length;
  const at = new Float64Array(2 * m);
  const d = new Float64Array(2 * m);
  for (let i = 0; i < m; i++) {
    const iv = intervals[i]!;
    at[2 * i] = iv.from;
    d[2 * i] = iv.bytes;
    at[2 * i + 1] = iv.to;
    d[2 * i + 1] = -iv.bytes;
  }
  // Frees before allocations at the same cycle: a tensor handed over does not count twice.
  const byEnd = (x: number, y: number) => at[x]! - at[y]! || d[x]! - d[y]! || x - y;
  const order = packedOrder(at);
  if (!order) return { at, d, order: Uint32Array.from(at.keys()).sort(byEnd) };
  // The packed order is by cycle and index: runs of one cycle are put in the comparator's order.
  for (let i = 0, j = 1; i < order.length; i = j, j = i + 1) {
    while (j < order.length && at[order[j]!] === at[order[i]!]) j++;
    if (j - i > 1) order.subarray(i, j).sort(byEnd);
  }
  return { at, d, order };
}

/** Indices sorted by (cycle, index) by a native sort of both packed in one double; undefined when that is not exact. */
function packedOrder(at: Float64Array): Uint32Array | undefined {
  const scale = 2 ** Math.ceil(Math.log2(at.length + 1));
  let last = 0;
  for (const x of at) {
    if (!Number.isInteger(x) || x < 0) return undefined;
    last = Math.max(last, x);
  }
  if ((last + 1) * scale > Number.MAX_SAFE_INTEGER) return undefined;
  const keys = Float64Array.from(at, (x, i) => x * scale + i);
  keys.sort();
  return Uint32Array.from(keys, (k) => k % scale);
}

/** Distinct cycles among the sorted ends. */
function distinctCycles(at: Float64Array, order: Uint32Array): number {
  let groups = 0;
  for (let i = 0; i < order.length; i++) if (i + 1 === order.length || at[order[i + 1]!] !== at[order[i]!]) groups++;
  return groups;
}

/** Live bytes over time: the peak, each class's peak and a down-sampled timeline (limit 0: none). */
function sweep(intervals: Interval[], limit = 0): Swept {
  const { at, d, order } = sortedEnds(intervals);
  const classes: TensorClass[] = [];
  const classIndex = new Map<TensorClass, number>();
  for (const iv of intervals) if (!classIndex.has(iv.cls)) classIndex.set(iv.cls, classes.push(iv.cls) - 1);
  const classOf = Int32Array.from(intervals, (iv) => classIndex.get(iv.cls)!);
  const groups = limit > 0 ? distinctCycles(at, order) : 0;
  const stride = groups > limit ? Math.ceil(groups / limit) : 1;
  const live: number[] = classes.map(() => 0);
  const classPeak: number[] = classes.map(() => 0);
  // Classes in order of their first end in time: the key order of each sample's bytesByClass.
  const seen: number[] = [];
  let total = 0;
  let peak = 0;
  let group = 0;
  const samples: MemorySample[] = [];
  for (let i = 0; i < order.length; i++) {
    const p = order[i]!;
    const c = classOf[p >> 1]!;
    if (live[c] === 0 && !seen.includes(c)) seen.push(c);
    live[c]! += d[p]!;
    total += d[p]!;
    if (i + 1 < order.length && at[order[i + 1]!] === at[p]) continue;
    peak = Math.max(peak, total);
    for (const k of seen) classPeak[k] = Math.max(classPeak[k]!, live[k]!);
    if (limit > 0 && (group % stride === 0 || group === groups - 1))
      samples.push({ cycle: at[p]!, bytesByClass: Object.fromEntries(seen.map((k) => [classes[k]!, live[k]!])) });
    group++;
  }
  return { peak, classPeaks: new Map(classes.map((cls, k) => [cls, classPeak[k]!])), samples };
}

/** Occupancy per instance of the resident bytes (a spilling instance holds its share; the rest is on the next level). */
export function memoryStats(
  mem: MemorySystem,
  placed: Interval[],
  totalCycles: number,
  sampleLimit = 400,
  fullTimeline = true,
) {
  const byKey = groupByKey(residentIntervals(mem, placed));
  const stats: MemoryStats[] = [];
  const timeline: { level: string; core: number; capacityBytes: number; samples: MemorySample[] }[] = [];
  const keys = [...mem.instances.keys()].sort();
  const peaks: number[] = [];
  for (const key of keys) {
    const inst = mem.instances.get(key)!;
    const ivs = byKey.get(instanceKey(inst.level, inst.core)) ?? [];
    const { peak, classPeaks, samples } = sweep(ivs, sampleLimit);
    const peakBytesByClass: Partial<Record<TensorClass, number>> = {};
    const timeWeightedBytesByClass: Partial<Record<TensorClass, number>> = {};
    let weighted = 0;
    for (const iv of ivs) {
      const area = (iv.bytes * (iv.to - iv.from)) / Math.max(1, totalCycles);
      weighted += area;
      timeWeightedBytesByClass[iv.cls] = (timeWeightedBytesByClass[iv.cls] ?? 0) + area;
    }
    for (const [cls, classPeak] of classPeaks) peakBytesByClass[cls] = classPeak;
    // A peak within a rounding error of the capacity is at the capacity (spill fractions are floats).
    const over = peak > inst.spec.capacityBytes * (1 + 1e-9);
    const verdict = over ? 'over-capacity' : inst.spillFraction > 0 ? 'spills' : 'fits';
    stats.push({
      level: inst.level,
      core: inst.core,
      capacityBytes: inst.spec.capacityBytes,
      peakBytes: over ? peak : Math.min(peak, inst.spec.capacityBytes),
      timeWeightedBytes: weighted,
      peakBytesByClass,
      timeWeightedBytesByClass,
      overflow: inst.spillFraction > 0 || over,
      verdict,
      spillFraction: inst.spillFraction,
    });
    timeline.push({
      level: inst.level,
      core: inst.core,
      capacityBytes: inst.spec.capacityBytes,
      samples,
    });
    peaks.push(peak);
  }
  return { stats, timeline: fullTimeline ? timeline : summariseTimeline(timeline, peaks) };
}

/** The memory timeline of a big chip, summarised: per level, only the instance with the highest peak (the others' peaks stay in the stats). */
function summariseTimeline<T extends { level: string }>(timeline: T[], peaks: number[]): T[] {
  const best = new Map<string, number>();
  timeline.forEach((t, i) => {
    const b = best.get(t.level);
    if (b === undefined || peaks[i]! > peaks[b]!) best.set(t.level, i);
  });
  return [...best.values()].sort((a, b) => a - b).map((i) => timeline[i]!);
}

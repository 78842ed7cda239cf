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
  return new Map([...byKey].map(([key, ivs]) => [key, sweep(ivs).peak]));
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

function sweep(intervals: Interval[]): { peak: number; samples: MemorySample[] } {
  const points = intervals.flatMap((iv) => [
    { at: iv.from, d: iv.bytes, cls: iv.cls },
    { at: iv.to, d: -iv.bytes, cls: iv.cls },
  ]);
  // Frees before allocations at the same cycle: a tensor handed over does not count twice.
  points.sort((a, b) => a.at - b.at || a.d - b.d);
  const live: Partial<Record<TensorClass, number>> = {};
  let total = 0;
  let peak = 0;
  const samples: MemorySample[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    live[p.cls] = (live[p.cls] ?? 0) + p.d;
    total += p.d;
    if (i + 1 < points.length && points[i + 1]!.at === p.at) continue;
    peak = Math.max(peak, total);
    samples.push({ cycle: p.at, bytesByClass: { ...live } });
  }
  return { peak, samples };
}

function downsample(samples: MemorySample[], limit: number): MemorySample[] {
  if (samples.length <= limit) return samples;
  const stride = Math.ceil(samples.length / limit);
  return samples.filter((_, i) => i % stride === 0 || i === samples.length - 1);
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
    const { peak, samples } = sweep(ivs);
    const peakBytesByClass: Partial<Record<TensorClass, number>> = {};
    const timeWeightedBytesByClass: Partial<Record<TensorClass, number>> = {};
    let weighted = 0;
    for (const iv of ivs) {
      const area = (iv.bytes * (iv.to - iv.from)) / Math.max(1, totalCycles);
      weighted += area;
      timeWeightedBytesByClass[iv.cls] = (timeWeightedBytesByClass[iv.cls] ?? 0) + area;
    }
    for (const cls of new Set(ivs.map((iv) => iv.cls)))
      peakBytesByClass[cls] = sweep(ivs.filter((iv) => iv.cls === cls)).peak;
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
      samples: downsample(samples, sampleLimit),
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

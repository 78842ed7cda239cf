// Memory occupancy over time from tensor placements and the simulated task times: each placement
// occupies its level instance from its producing task's start to its last reader's end, once per
// iteration (persistent tensors for the whole run); a block staged through a chip-wide level occupies
// it while its task runs (sim/units/staged-blocks.ts). Gives peak and time-weighted bytes per class and
// a down-sampled timeline. Time-weighted bytes are sum(bytes x lifetime) / total cycles (Little's law).
import type { CompiledStep, TensorPlacement } from '../src/compiler/types.js';
import type { TensorClass } from '../src/ir/types.js';
import type { MemorySample, MemoryStats } from '../src/report/sim-report.js';
import { forEachEnd } from './occupancy-ends.js';
import { instanceKey, placementBounds, type LevelInstance, type MemorySystem } from './units/memory.js';

/** One lifetime (what tests and small callers build); the simulator keeps them in columns (Intervals). */
export interface Interval {
  key: string;
  cls: TensorClass;
  bytes: number;
  from: number;
  to: number;
}

/**
 * Lifetimes in columns, in emission order: row i lives on instance keys[key[i]] as class classes[cls[i]],
 * repeat[i] times: from + j * period to to + j * period for j in [0, repeat[i]) (the steady state's
 * iterations, each the one before shifted by the period), as if written out in that order.
 */
export interface Intervals {
  keys: string[];
  classes: TensorClass[];
  key: Int32Array;
  cls: Int32Array;
  bytes: Float64Array;
  from: Float64Array;
  to: Float64Array;
  repeat: Int32Array;
  period: number;
}

/** Columns for `rows` lifetimes; keys and classes are numbered in order of first use. */
class IntervalWriter {
  private readonly keyIndex = new Map<string, number>();
  private readonly classIndex = new Map<TensorClass, number>();
  readonly out: Intervals;
  length = 0;

  constructor(rows: number, period = 0) {
    this.out = {
      keys: [],
      classes: [],
      key: new Int32Array(rows),
      cls: new Int32Array(rows),
      bytes: new Float64Array(rows),
      from: new Float64Array(rows),
      to: new Float64Array(rows),
      repeat: new Int32Array(rows),
      period,
    };
  }

  keyOf(key: string): number {
    let k = this.keyIndex.get(key);
    if (k === undefined) this.keyIndex.set(key, (k = this.out.keys.push(key) - 1));
    return k;
  }

  classOf(cls: TensorClass): number {
    let c = this.classIndex.get(cls);
    if (c === undefined) this.classIndex.set(cls, (c = this.out.classes.push(cls) - 1));
    return c;
  }

  push(key: number, cls: number, bytes: number, from: number, to: number, repeat = 1): void {
    const i = this.length++;
    const o = this.out;
    o.key[i] = key;
    o.cls[i] = cls;
    o.bytes[i] = bytes;
    o.from[i] = from;
    o.to[i] = to;
    o.repeat[i] = repeat;
  }
}

/** Columns of a list of lifetimes (same order), each `repeat` times (default 1) shifted by `period`. */
export function intervalsOf(list: readonly (Interval & { repeat?: number })[], period = 0): Intervals {
  const w = new IntervalWriter(list.length, period);
  for (const iv of list) w.push(w.keyOf(iv.key), w.classOf(iv.cls), iv.bytes, iv.from, iv.to, iv.repeat ?? 1);
  return w.out;
}

/** First start and last end of each iteration's task instances. */
function iterationSpans(n: number, start: Float64Array, end: Float64Array, iterations: number) {
  const iterStart = new Float64Array(iterations);
  const iterEnd = new Float64Array(iterations);
  for (let it = 0; it < iterations; it++) {
    let lo = Infinity;
    let hi = 0;
    for (let t = it * n; t < (it + 1) * n; t++) {
      lo = Math.min(lo, start[t]!);
      hi = Math.max(hi, end[t]!);
    }
    iterStart[it] = n === 0 ? 0 : lo;
    iterEnd[it] = hi;
  }
  return { iterStart, iterEnd };
}

/**
 * The steady state's iterations [from, to]: every task's start and end in each iteration after `from`
 * up to `to` is the one before plus `period` cycles (whole cycles, so shifted sums stay exact); the
 * longest such run. None (from = to = iterations) when fewer than three iterations repeat.
 */
export function repeatingIterations(
  n: number,
  start: Float64Array,
  end: Float64Array,
  iterations: number,
): { from: number; to: number; period: number } {
  const shiftOf = (it: number) => {
    const period = start[it * n]! - start[(it - 1) * n]!;
    if (!(period > 0) || !Number.isInteger(period)) return 0;
    for (let i = it * n, p = i - n; i < (it + 1) * n; i++, p++) {
      if (start[i] !== start[p]! + period || end[i] !== end[p]! + period) return 0;
      if (!Number.isInteger(start[p]!) || !Number.isInteger(end[p]!) || start[p]! < 0) return 0;
    }
    return period;
  };
  let best = { from: iterations, to: iterations, period: 0 };
  let run = { from: 0, period: 0 };
  for (let it = 1; it < iterations && n > 0; it++) {
    const period = shiftOf(it);
    if (period === 0 || period !== run.period) run = { from: period === 0 ? it : it - 1, period };
    if (period > 0 && it - run.from > best.to - best.from) best = { from: run.from, to: it, period };
  }
  return best.to - best.from >= 2 ? best : { from: iterations, to: iterations, period: 0 };
}

/** Calls `at(it, repeat)` for every iteration, the `repeat` (at least 2) iterations from `from` as one call. */
function eachIteration(
  iterations: number,
  from: number,
  repeat: number,
  at: (it: number, repeat: number) => void,
): void {
  if (repeat < 2) {
    for (let it = 0; it < iterations; it++) at(it, 1);
    return;
  }
  for (let it = 0; it < from; it++) at(it, 1);
  at(from, repeat);
  for (let it = from + repeat; it < iterations; it++) at(it, 1);
}

/**
 * Lifetimes of every placement instance over the iterations; the steady state's as repeated rows.
 * `keep` (default: every instance) leaves out the lifetimes on the instances it rejects; the others'
 * rows are the same and in the same order.
 */
export function placementIntervals(
  step: CompiledStep,
  mem: MemorySystem,
  start: Float64Array,
  end: Float64Array,
  iterations: number,
  totalCycles: number,
  keep: (inst: LevelInstance) => boolean = () => true,
): Intervals {
  const n = step.tasks.length;
  const { iterStart, iterEnd } = iterationSpans(n, start, end, iterations);
  const steady = repeatingIterations(n, start, end, iterations);
  // Iterations steady.from .. steady.to - lag repeat (a lifetime read in the next iteration ends in it).
  const repeats = (lag: number) => steady.to - lag - steady.from + 1;
  const rowsOf = (p: TensorPlacement) => {
    const lag = p.readNextIteration ? 1 : 0;
    return p.persistent ? 1 : repeats(lag) >= 2 ? iterations - repeats(lag) + 1 : iterations;
  };
  const placed: number[] = [];
  const placedOn: LevelInstance[] = [];
  let rows = 0;
  step.placements.forEach((p, q) => {
    const inst = mem.instance(p.level, p.core);
    if (!inst || !keep(inst)) return;
    placed.push(q);
    placedOn.push(inst);
    rows += rowsOf(p);
  });
  const stagedOn = (b: (typeof mem.staged.held)[number]) => mem.instance(step.hw.memory[b.level]!.name, -1)!;
  const staged = mem.staged.held.filter((b) => keep(stagedOn(b)));
  const stagedRows = repeats(0) >= 2 ? iterations - repeats(0) + 1 : iterations;
  const w = new IntervalWriter(rows + staged.length * stagedRows, steady.period);
  const bounds = placementBounds(step);
  const spans = { iterStart, iterEnd, start, end, n, iterations, totalCycles, from: steady.from };
  placed.forEach((q, k) => {
    const p = step.placements[q]!;
    const key = w.keyOf(placedOn[k]!.key);
    const cls = w.classOf(p.cls);
    if (p.persistent) w.push(key, cls, p.bytes, 0, totalCycles);
    // Read in the next body (software pipelining): the last iteration's reader is never simulated.
    else {
      const lag = p.readNextIteration ? 1 : 0;
      lifetimes(w, spans, key, cls, p.bytes, bounds.first[q]!, bounds.last[q]!, lag, repeats(lag));
    }
  });
  // Blocks staged through a chip-wide level live there while their task runs.
  for (const b of staged) {
    const key = w.keyOf(stagedOn(b).key);
    const cls = w.classOf(b.cls);
    eachIteration(iterations, steady.from, repeats(0), (it, repeat) =>
      w.push(key, cls, b.bytes, start[it * n + b.task]!, end[it * n + b.task]!, repeat),
    );
  }
  return w.out;
}

interface Spans {
  iterStart: Float64Array;
  iterEnd: Float64Array;
  start: Float64Array;
  end: Float64Array;
  n: number;
  iterations: number;
  totalCycles: number;
  /** The steady state's first iteration. */
  from: number;
}

/**
 * One placement's lifetimes (eachIteration's rows, in its order): from its first task's start (the
 * iteration's first start without one) to its last reader's end, `lag` iterations later.
 */
function lifetimes(
  w: IntervalWriter,
  s: Spans,
  key: number,
  cls: number,
  bytes: number,
  first: number,
  last: number,
  lag: number,
  repeat: number,
): void {
  for (let it = 0; it < s.iterations; it++) {
    const times = repeat >= 2 && it === s.from ? repeat : 1;
    const from = first < 0 ? s.iterStart[it]! : s.start[it * s.n + first]!;
    const readerIt = it + lag;
    const readEnd = last < 0 ? s.iterEnd[it]! : readerIt < s.iterations ? s.end[readerIt * s.n + last]! : s.totalCycles;
    w.push(key, cls, bytes, from, Math.max(from, readEnd), times);
    it += times - 1;
  }
}

/** Row indices of each key, in row order (a stable counting sort). */
function rowsByKey(iv: Intervals): Int32Array[] {
  const count = new Int32Array(iv.keys.length);
  for (let i = 0; i < iv.key.length; i++) count[iv.key[i]!]!++;
  const out = Array.from(count, (c) => new Int32Array(c));
  const fill = new Int32Array(iv.keys.length);
  for (let i = 0; i < iv.key.length; i++) {
    const k = iv.key[i]!;
    out[k]![fill[k]!++] = i;
  }
  return out;
}

/** Peak bytes live at once per instance key (placements whole, before any spill), but for the keys `skip` names. */
export function peaksByInstance(iv: Intervals, skip: (key: string) => boolean = () => false): Map<string, number> {
  const rows = rowsByKey(iv);
  const out = new Map<string, number>();
  iv.keys.forEach((key, k) => {
    if (!skip(key))
      out.set(key, (allSingle(iv, rows[k]!) ? wholePeak(iv, rows[k]!) : undefined) ?? sweep(iv, rows[k]!).peak);
  });
  return out;
}

/** No row of `rows` repeats. */
function allSingle(iv: Intervals, rows: Int32Array): boolean {
  for (const r of rows) if (iv.repeat[r] !== 1) return false;
  return true;
}

/**
 * The peak of intervals of whole bytes, over their ends ordered by cycle (packedOrder): with whole
 * bytes the sum at each cycle is exact in any order, so it equals the sweep's. Undefined for
 * fractional bytes or cycles packedOrder cannot order (then the sweep decides).
 */
function wholePeak(iv: Intervals, rows: Int32Array): number | undefined {
  const ends = 2 * rows.length;
  const at = new Float64Array(ends);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!Number.isInteger(iv.bytes[r]!)) return;
    at[2 * i] = iv.from[r]!;
    at[2 * i + 1] = iv.to[r]!;
  }
  const order = packedOrder(at);
  if (!order) return;
  let live = 0;
  let peak = 0;
  for (let k = 0; k < ends; k++) {
    const p = order[k]!;
    const bytes = iv.bytes[rows[p >> 1]!]!;
    live += p & 1 ? -bytes : bytes;
    if (k + 1 === ends || at[order[k + 1]!] !== at[p]) peak = Math.max(peak, live);
  }
  return peak;
}

/** Index of the first value in ascending `sorted` not below x. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Splits each lifetime of a spilling instance: the resident share stays, the spilled share lives on the next level. */
export function residentIntervals(mem: MemorySystem, iv: Intervals): Intervals {
  const split = iv.keys.map((key) => {
    const inst = mem.instances.get(key);
    const next = inst ? mem.spillTarget(inst) : undefined;
    return inst && next ? { f: inst.spillFraction, next: next.key } : undefined;
  });
  let rows = 0;
  for (let i = 0; i < iv.key.length; i++) rows += split[iv.key[i]!] ? 2 : 1;
  const w = new IntervalWriter(rows, iv.period);
  iv.keys.forEach((key) => w.keyOf(key));
  iv.classes.forEach((cls) => w.classOf(cls));
  const next = split.map((s) => (s ? w.keyOf(s.next) : -1));
  for (let i = 0; i < iv.key.length; i++) {
    const k = iv.key[i]!;
    const s = split[k];
    const cls = iv.cls[i]!;
    const bytes = iv.bytes[i]!;
    const from = iv.from[i]!;
    const to = iv.to[i]!;
    const repeat = iv.repeat[i]!;
    if (!s) {
      w.push(k, cls, bytes, from, to, repeat);
      continue;
    }
    w.push(k, cls, bytes * (1 - s.f), from, to, repeat);
    w.push(next[k]!, cls, bytes * s.f, from, to, repeat);
  }
  return w.out;
}

interface Swept {
  peak: number;
  /** Peak of each class alone (its own frees and allocations), classes in order of first interval. */
  classPeaks: Map<TensorClass, number>;
  /** Live bytes by class after each distinct cycle, down-sampled to at most `limit` (every stride-th and the last). */
  samples: MemorySample[];
}

/** Interval ends sorted by cycle, frees before allocations at the same cycle, then in interval order. */
function sortedEnds(iv: Intervals, rows: Int32Array): { at: Float64Array; d: Float64Array; order: Uint32Array } {
  const m = rows.length;
  const at = new Float64Array(2 * m);
  const d = new Float64Array(2 * m);
  for (let i = 0; i < m; i++) {
    const r = rows[i]!;
    at[2 * i] = iv.from[r]!;
    d[2 * i] = iv.bytes[r]!;
    at[2 * i + 1] = iv.to[r]!;
    d[2 * i + 1] = -iv.bytes[r]!;
  }
  // Frees before allocations at the same cycle: a tensor handed over does not count twice.
  const byEnd = (x: number, y: number) => at[x]! - at[y]! || d[x]! - d[y]! || x - y;
  const order = packedOrder(at);
  if (!order) return { at, d, order: Uint32Array.from(at.keys()).sort(byEnd) };
  // The packed order is by cycle and index: runs of one cycle are put in the comparator's order.
  for (let i = 0, j = 1; i < order.length; i = j, j = i + 1) {
    while (j < order.length && at[order[j]!] === at[order[i]!]) j++;
    if (j - i > 1) sortRunByChange(order, i, j, d);
  }
  return { at, d, order };
}

/**
 * order[i, j) (ascending indices) sorted by d, ties in index order: the comparator's order within one
 * cycle, by a native sort of (rank of d, position) packed in one double (-0 and 0 are one rank, as
 * the comparator's difference has them equal).
 */
function sortRunByChange(order: Uint32Array, i: number, j: number, d: Float64Array): void {
  const len = j - i;
  if (len <= shortRun) return insertionByChange(order, i, j, d);
  const values = new Float64Array(len);
  for (let k = 0; k < len; k++) values[k] = d[order[i + k]!]! + 0;
  const ranks = values.slice().sort();
  const keys = new Float64Array(len);
  for (let k = 0; k < len; k++) keys[k] = lowerBound(ranks, values[k]!) * len + k;
  keys.sort();
  const run = order.slice(i, j);
  for (let k = 0; k < len; k++) order[i + k] = run[keys[k]! % len]!;
}

/** Runs at most this long are sorted in place (most runs are two or three ends). */
const shortRun = 16;

/**
 * order[i, j) sorted by d in place, ties (-0 and 0 among them: neither is less) kept in index order:
 * a stable insertion sort, the same order as sortRunByChange's.
 */
function insertionByChange(order: Uint32Array, i: number, j: number, d: Float64Array): void {
  for (let k = i + 1; k < j; k++) {
    const e = order[k]!;
    const v = d[e]!;
    let m = k - 1;
    for (; m >= i && v < d[order[m]!]!; m--) order[m + 1] = order[m]!;
    order[m + 1] = e;
  }
}

/**
 * Indices sorted by (cycle, index), for whole non-negative cycles (undefined otherwise): a native sort
 * of both packed in one double where that is exact, else a stable radix sort on the cycle's 16-bit
 * digits (a long run's cycles times its ends overflow the packing).
 */
function packedOrder(at: Float64Array): Uint32Array | undefined {
  const m = at.length;
  const scale = 2 ** Math.ceil(Math.log2(m + 1));
  let last = 0;
  for (let i = 0; i < m; i++) {
    const x = at[i]!;
    if (!Number.isInteger(x) || x < 0 || x > Number.MAX_SAFE_INTEGER) return undefined;
    last = Math.max(last, x);
  }
  if ((last + 1) * scale > Number.MAX_SAFE_INTEGER) return radixOrder(at);
  const keys = new Float64Array(m);
  for (let i = 0; i < m; i++) keys[i] = at[i]! * scale + i;
  keys.sort();
  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = keys[i]! % scale;
  return order;
}

/** Indices stably sorted by whole non-negative cycles: least significant 16-bit digit first. */
function radixOrder(at: Float64Array): Uint32Array {
  const m = at.length;
  const low = new Uint32Array(m);
  const high = new Uint32Array(m);
  for (let i = 0; i < m; i++) {
    low[i] = at[i]! % 2 ** 32;
    high[i] = Math.floor(at[i]! / 2 ** 32);
  }
  let order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  let next = new Uint32Array(m);
  const count = new Uint32Array(2 ** 16 + 1);
  for (const [words, shift] of [
    [low, 0],
    [low, 16],
    [high, 0],
    [high, 16],
  ] as const) {
    count.fill(0);
    for (let i = 0; i < m; i++) count[((words[i]! >>> shift) & 0xffff) + 1]!++;
    if (count.includes(m)) continue;
    for (let b = 0; b < 2 ** 16; b++) count[b + 1]! += count[b]!;
    for (let k = 0; k < m; k++) {
      const i = order[k]!;
      next[count[(words[i]! >>> shift) & 0xffff]!++] = i;
    }
    [order, next] = [next, order];
  }
  return order;
}

/** Distinct cycles among the ends of `rows`. */
function distinctCycles(iv: Intervals, rows: Int32Array): number {
  let groups = 0;
  let cycle = NaN;
  forEachEnd(iv, rows, sortedEnds, (at) => {
    if (at !== cycle) groups++;
    cycle = at;
  });
  return groups;
}

/** Live bytes over time: the peak, each class's peak and a down-sampled timeline (limit 0: none). */
function sweep(iv: Intervals, rows: Int32Array, limit = 0): Swept {
  // Classes numbered in order of first interval.
  const local = new Int32Array(iv.classes.length).fill(-1);
  const classes: TensorClass[] = [];
  const classOf = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    const c = iv.cls[r]!;
    if (local[c]! < 0) local[c] = classes.push(iv.classes[c]!) - 1;
    classOf[i] = local[c]!;
  });
  const groups = limit > 0 ? distinctCycles(iv, rows) : 0;
  const stride = groups > limit ? Math.ceil(groups / limit) : 1;
  const live: number[] = classes.map(() => 0);
  const classPeak: number[] = classes.map(() => 0);
  // Classes in order of their first end in time: the key order of each sample's bytesByClass.
  const seen: number[] = [];
  let total = 0;
  let peak = 0;
  let group = 0;
  let cycle = NaN;
  const samples: MemorySample[] = [];
  // After the last end at a cycle: the peaks and (every stride-th cycle and the last) a sample.
  const close = () => {
    peak = Math.max(peak, total);
    for (const k of seen) classPeak[k] = Math.max(classPeak[k]!, live[k]!);
    if (limit > 0 && (group % stride === 0 || group === groups - 1))
      samples.push({ cycle, bytesByClass: Object.fromEntries(seen.map((k) => [classes[k]!, live[k]!])) });
    group++;
  };
  forEachEnd(iv, rows, sortedEnds, (at, change, row) => {
    if (at !== cycle && !Number.isNaN(cycle)) close();
    cycle = at;
    const c = classOf[row]!;
    if (live[c] === 0 && !seen.includes(c)) seen.push(c);
    live[c]! += change;
    total += change;
  });
  if (!Number.isNaN(cycle)) close();
  return { peak, classPeaks: new Map(classes.map((cls, k) => [cls, classPeak[k]!])), samples };
}

/** Occupancy per instance of the resident bytes (a spilling instance holds its share; the rest is on the next level). */
export function memoryStats(
  mem: MemorySystem,
  placed: Intervals,
  totalCycles: number,
  sampleLimit = 400,
  fullTimeline = true,
) {
  const resident = residentIntervals(mem, placed);
  const rowsOfKey = new Map(rowsByKey(resident).map((rows, k) => [resident.keys[k]!, rows]));
  const stats: MemoryStats[] = [];
  const timeline: { level: string; core: number; capacityBytes: number; samples: MemorySample[] }[] = [];
  const keys = [...mem.instances.keys()].sort();
  const rowsOf = (key: string) => {
    const inst = mem.instances.get(key)!;
    return rowsOfKey.get(instanceKey(inst.level, inst.core)) ?? new Int32Array(0);
  };
  const peaks: number[] = [];
  // A summarised timeline samples only the instances it keeps (below); a level's only instance is always kept.
  const perLevel = new Map<string, number>();
  for (const inst of mem.instances.values()) perLevel.set(inst.level, (perLevel.get(inst.level) ?? 0) + 1);
  const sampled = (inst: LevelInstance) => fullTimeline || perLevel.get(inst.level) === 1;
  for (const key of keys) {
    const inst = mem.instances.get(key)!;
    const rows = rowsOf(key);
    const { peak, classPeaks, samples } = sweep(resident, rows, sampled(inst) ? sampleLimit : 0);
    stats.push(instanceStats(inst, resident, rows, peak, classPeaks, totalCycles));
    timeline.push({ level: inst.level, core: inst.core, capacityBytes: inst.spec.capacityBytes, samples });
    peaks.push(peak);
  }
  if (fullTimeline) return { stats, timeline };
  const kept = summariseTimeline(timeline, peaks);
  for (const t of kept) {
    const key = instanceKey(t.level, t.core);
    if (!sampled(mem.instances.get(key)!)) t.samples = sweep(resident, rowsOf(key), sampleLimit).samples;
  }
  return { stats, timeline: kept };
}

/** One instance's figures: peak and time-weighted bytes (by class) and its verdict against its capacity. */
function instanceStats(
  inst: LevelInstance,
  resident: Intervals,
  rows: Int32Array,
  peak: number,
  classPeaks: Map<TensorClass, number>,
  totalCycles: number,
): MemoryStats {
  const peakBytesByClass: Partial<Record<TensorClass, number>> = {};
  const timeWeightedBytesByClass: Partial<Record<TensorClass, number>> = {};
  let weighted = 0;
  // Per class index: its sum, and the classes in the order their first lifetime comes (the report's key order).
  const byClass = new Float64Array(resident.classes.length);
  const order: number[] = [];
  for (const r of rows) {
    const area = (resident.bytes[r]! * (resident.to[r]! - resident.from[r]!)) / Math.max(1, totalCycles);
    const c = resident.cls[r]!;
    if (resident.repeat[r]! > 0 && !order.includes(c)) order.push(c);
    // A repeated row's lifetimes all have this area, summed one by one as if written out.
    for (let j = 0; j < resident.repeat[r]!; j++) {
      weighted += area;
      byClass[c]! += area;
    }
  }
  for (const c of order) timeWeightedBytesByClass[resident.classes[c]!] = byClass[c]!;
  for (const [cls, classPeak] of classPeaks) peakBytesByClass[cls] = classPeak;
  // A peak within a rounding error of the capacity is at the capacity (spill fractions are floats).
  const over = peak > inst.spec.capacityBytes * (1 + 1e-9);
  const verdict = over ? 'over-capacity' : inst.spillFraction > 0 ? 'spills' : 'fits';
  return {
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
  };
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

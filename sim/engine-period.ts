// Exact steady state: the engine's future depends only on its state (units' positions and tasks in
// flight, counts of unfinished dependencies, dependency groups, recent start and end cycles). Once per
// iteration (when unit 0 enters it) that state is written relative to the iteration and the cycle; when
// it equals the previous iteration's, every later iteration repeats it shifted by the same cycles D, as
// long as the run's last iteration is not yet in sight. The engine then jumps: the period's starts and
// ends are copied forward iteration by iteration, the state and the statistics advance by whole periods
// (all whole cycles, so sums stay exact), and the tail is simulated. The run equals a full simulation.
import type { GroupCountdown } from './engine-groups.js';
import type { WakeHeap } from './engine-quiet.js';
import type { InFlight } from './units/memory-service.js';

/** What the steady-state check reads of the engine and advances when it jumps. */
export interface EngineState {
  readonly n: number;
  readonly iterations: number;
  /** Tasks per unit. */
  readonly unitLen: Int32Array;
  now: number;
  events: number;
  completed: number;
  readonly maxEvents: number;
  readonly pos: Int32Array;
  readonly running: Uint8Array;
  readonly runningInst: Int32Array;
  readonly lastEnd: Float64Array;
  readonly flights: readonly InFlight[];
  readonly liveAt: Int32Array;
  readonly quiet: WakeHeap;
  readonly remaining: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly busyByUnit: number[];
  readonly idleByUnit: { dependency: Float64Array; 'pipeline-bubble': Float64Array };
  readonly depCountdown: GroupCountdown;
  readonly prevCountdown: GroupCountdown;
}

interface Snapshot {
  it: number;
  now: number;
  /** Iterations whose rows the state holds: [lo, hi]; head: the latest iteration a unit is at. */
  lo: number;
  hi: number;
  head: number;
  key: Float64Array;
  events: number;
  completed: number;
  busy: Float64Array;
  idleDependency: Float64Array;
  idleBubble: Float64Array;
}

/** A time relative to `now`, or +Infinity for "not yet" (-1 in the engine's arrays). */
const rel = (x: number, now: number) => (x >= 0 ? x - now : Infinity);

/** The iterations units are at (their next task's), or undefined once a unit has run out of tasks. */
function headRange(e: EngineState): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let u = 0; u < e.unitLen.length; u++) {
    const it = Math.floor(e.pos[u]! / e.unitLen[u]!);
    if (it >= e.iterations) return undefined;
    min = Math.min(min, it);
    max = Math.max(max, it);
  }
  return { min, max };
}

/** A snapshot's key being written: values in order into one array sized beforehand (keyLength). */
interface KeyWriter {
  key: Float64Array;
  at: number;
}

function put(w: KeyWriter, x: number): void {
  w.key[w.at++] = x;
}

/** Values unitKey and rowKey write for rows [lo, hi], plus the two of the row range. */
function keyLength(e: EngineState, lo: number, hi: number): number {
  let length = 2 + 3 * e.unitLen.length + 3 * (hi - lo + 1) * (e.n + e.depCountdown.count + e.prevCountdown.count);
  for (let u = 0; u < e.unitLen.length; u++) if (e.running[u] === 1) length += 6 + e.flights[u]!.instance.length;
  return length;
}

function unitKey(e: EngineState, it: number, wake: Float64Array, w: KeyWriter): void {
  const { now } = e;
  for (let u = 0; u < e.unitLen.length; u++) {
    put(w, e.pos[u]! - it * e.unitLen[u]!);
    put(w, e.running[u]!);
    put(w, e.lastEnd[u]! - now);
    if (e.running[u] !== 1) continue;
    const f = e.flights[u]!;
    put(w, e.runningInst[u]! - it * e.n);
    put(w, f.phase);
    put(w, f.latencyLeft);
    put(w, f.computeLeft);
    put(w, e.liveAt[u]! >= 0 ? 1 : 0);
    put(w, wake[u]! >= 0 ? wake[u]! - now : -1);
    for (let d = 0; d < f.instance.length; d++) put(w, f.bytesLeft[d]!);
  }
}

function rowKey(e: EngineState, lo: number, hi: number, w: KeyWriter): void {
  const { n, now } = e;
  for (let x = lo * n; x < (hi + 1) * n; x++) {
    put(w, e.remaining[x]!);
    put(w, rel(e.start[x]!, now));
    put(w, rel(e.end[x]!, now));
  }
  for (const c of [e.depCountdown, e.prevCountdown]) {
    for (let r = lo; r <= hi; r++)
      for (let g = 0; g < c.count; g++) {
        const at = r * c.count + g;
        const best = c.best[at]!;
        put(w, c.left[at]!);
        put(w, best >= 0 ? best - r * n : -1);
        put(w, c.bestPos[at]!);
      }
  }
}

/** The engine's state at iteration `it`, relative to it and to the current cycle (undefined near the run's end). */
function snapshot(e: EngineState, it: number): Snapshot | undefined {
  const heads = headRange(e);
  if (!heads) return undefined;
  const lo = Math.max(0, heads.min - 1);
  const hi = heads.max + 1;
  if (hi + 2 >= e.iterations) return undefined;
  const wake = e.quiet.wakeByUnit(e.unitLen.length);
  const w: KeyWriter = { key: new Float64Array(keyLength(e, lo, hi)), at: 0 };
  put(w, lo - it);
  put(w, hi - it);
  unitKey(e, it, wake, w);
  rowKey(e, lo, hi, w);
  if (w.at !== w.key.length) throw new Error(`steady-state key: wrote ${w.at} of ${w.key.length} values`);
  return {
    it,
    now: e.now,
    lo,
    hi,
    head: heads.max,
    key: w.key,
    events: e.events,
    completed: e.completed,
    busy: Float64Array.from(e.busyByUnit),
    idleDependency: e.idleByUnit.dependency.slice(),
    idleBubble: e.idleByUnit['pipeline-bubble'].slice(),
  };
}

function sameKey(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Starts and ends of the period (prev.now, cur.now], copied to each of the next `periods` iterations. */
function copyEvents(e: EngineState, prev: Snapshot, cur: Snapshot, periods: number): void {
  const { n } = e;
  const d = cur.now - prev.now;
  for (const times of [e.start, e.end]) {
    for (let x = prev.lo * n; x < (cur.hi + 1) * n; x++) {
      const t = times[x]!;
      if (!(t > prev.now && t <= cur.now)) continue;
      for (let j = 1; j <= periods; j++) times[x + j * n] = t + j * d;
    }
  }
}

/** Per-iteration rows [lo, hi] moved `periods` iterations on; the rows left behind are finished. */
function shiftRows(row: Int32Array, width: number, lo: number, hi: number, periods: number, add = 0): void {
  for (let r = hi; r >= lo; r--)
    for (let k = 0; k < width; k++) {
      const v = row[r * width + k]!;
      row[(r + periods) * width + k] = add !== 0 && v >= 0 ? v + add : v;
    }
}

function shiftState(e: EngineState, cur: Snapshot, periods: number, d: number): void {
  const { n } = e;
  for (let u = 0; u < e.unitLen.length; u++) {
    e.pos[u]! += periods * e.unitLen[u]!;
    e.lastEnd[u]! += periods * d;
    if (e.running[u] === 1) e.runningInst[u]! += periods * n;
  }
  e.quiet.shift(periods * d);
  shiftRows(e.remaining, n, cur.lo, cur.hi, periods);
  e.remaining.fill(0, cur.lo * n, (cur.lo + periods) * n);
  for (const c of [e.depCountdown, e.prevCountdown]) {
    shiftRows(c.left, c.count, cur.lo, cur.hi, periods);
    shiftRows(c.best, c.count, cur.lo, cur.hi, periods, periods * n);
    shiftRows(c.bestPos, c.count, cur.lo, cur.hi, periods);
    c.left.fill(0, cur.lo * c.count, (cur.lo + periods) * c.count);
  }
}

function shiftStats(e: EngineState, prev: Snapshot, cur: Snapshot, periods: number): void {
  e.events += periods * (cur.events - prev.events);
  e.completed += periods * (cur.completed - prev.completed);
  for (let u = 0; u < e.unitLen.length; u++) {
    e.busyByUnit[u]! += periods * (cur.busy[u]! - prev.busy[u]!);
    e.idleByUnit.dependency[u]! += periods * (cur.idleDependency[u]! - prev.idleDependency[u]!);
    e.idleByUnit['pipeline-bubble'][u]! += periods * (cur.idleBubble[u]! - prev.idleBubble[u]!);
  }
}

/**
 * Watches the engine for a repeating iteration and jumps over the repeats (at most once). `due` is
 * unit 0's position at which the next check runs.
 */
export class SteadyState {
  private prev: Snapshot | undefined;
  done = false;
  due: number;
  /** Iterations jumped over (0: none repeated, or the run was too short). */
  skipped = 0;

  /** `cold`: the first iterations run other demands (first loads); no snapshot is taken while a unit has tasks of them ahead. */
  constructor(
    private readonly e: EngineState,
    private readonly cold = 0,
  ) {
    this.due = e.unitLen[0]!;
    this.done = e.iterations < 6 || e.unitLen.length === 0;
  }

  check(): void {
    const e = this.e;
    const it = Math.floor(e.pos[0]! / e.unitLen[0]!);
    this.due = (it + 1) * e.unitLen[0]!;
    if (this.cold > 0 && (headRange(e)?.min ?? Infinity) < this.cold) return;
    const cur = snapshot(e, it);
    if (!cur) {
      this.done = true;
      return;
    }
    if (this.prev && this.prev.it === it - 1 && sameKey(this.prev.key, cur.key)) {
      this.jump(this.prev, cur);
      return;
    }
    this.prev = cur;
  }

  /** Skips whole periods while the last iteration stays out of reach (a margin of one). */
  private jump(prev: Snapshot, cur: Snapshot): void {
    const e = this.e;
    this.done = true;
    const periods = e.iterations - 3 - cur.head;
    if (periods < 1 || e.events + periods * (cur.events - prev.events) > e.maxEvents) return;
    const d = cur.now - prev.now;
    copyEvents(e, prev, cur, periods);
    shiftState(e, cur, periods, d);
    shiftStats(e, prev, cur, periods);
    e.now += periods * d;
    this.skipped = periods;
  }
}

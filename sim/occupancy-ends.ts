// The ends of one memory instance's lifetimes in the sweep's order: by cycle, frees before allocations
// at one cycle (by the signed change), then by index (lifetime i allocates at 2i and frees at 2i + 1,
// lifetimes numbered as if every repeated row were written out). A repeated row (one lifetime and its
// copies shifted by whole periods: the steady state's iterations) is not written out: its ends run
// slot by slot (one slot per period) in an order fixed once, merged with the sorted ends of the single
// rows. The order is the one a sort of all the ends gives, so running sums over it are the same floats.

/** The columns of lifetimes this file reads (occupancy's Intervals). */
export interface Lifetimes {
  bytes: Float64Array;
  from: Float64Array;
  to: Float64Array;
  repeat: Int32Array;
  period: number;
}

/** Called per end in order: its cycle, the signed change in live bytes and the position of its row in `rows`. */
export type EndVisitor = (cycle: number, change: number, row: number) => void;

/** Ends of single rows sorted by (cycle, change, index): the sort a caller provides (occupancy's packed sort). */
export type SortEnds<T extends Lifetimes> = (
  iv: T,
  rows: Int32Array,
) => { at: Float64Array; d: Float64Array; order: Uint32Array };

/** A repeated row's allocation or free: cycle c + j * period for j in [0, count), j-th index t + 2 (q + j). */
interface Generators {
  row: Int32Array;
  cycle: Float64Array;
  change: Float64Array;
  count: Float64Array;
  q: Float64Array;
  index: Float64Array;
}

/** Visits the ends of `rows` of `iv` in order (see the header). */
export function forEachEnd<T extends Lifetimes>(
  iv: T,
  rows: Int32Array,
  sortEnds: SortEnds<T>,
  visit: EndVisitor,
): void {
  const pos = new Float64Array(rows.length);
  let lifetimes = 0;
  const single: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    pos[i] = lifetimes;
    const rep = iv.repeat[rows[i]!]!;
    lifetimes += rep;
    if (rep === 1) single.push(i);
  }
  const gen = single.length < rows.length ? generatorsOf(iv, rows, pos) : undefined;
  // Slots far apart (a period small against the lifetimes' spread) would cost more than the ends: write them out.
  if (gen && slotRange(gen).slots * gen.q.length > 4 * lifetimes + 1e6) return expandedEnds(iv, rows, sortEnds, visit);
  const singleRows = Int32Array.from(single, (i) => rows[i]!);
  const { at, d, order } = sortEnds(iv, singleRows);
  const singleIndex = (e: number) => 2 * pos[single[e >> 1]!]! + (e & 1);
  let next = 0;
  const flushBefore = (cycle: number, change: number, index: number) => {
    for (; next < order.length; next++) {
      const e = order[next]!;
      if ((at[e]! - cycle || d[e]! - change || singleIndex(e) - index) > 0) return;
      visit(at[e]!, d[e]!, single[e >> 1]!);
    }
  };
  if (gen) {
    runSlots(gen, iv.period, (cycle, change, index, row) => {
      flushBefore(cycle, change, index);
      visit(cycle, change, row);
    });
  }
  flushBefore(Infinity, 0, 0);
}

/** Every lifetime of `rows` written out and sorted (the slow path; the same order). */
function expandedEnds<T extends Lifetimes>(iv: T, rows: Int32Array, sortEnds: SortEnds<T>, visit: EndVisitor): void {
  let total = 0;
  for (const r of rows) total += iv.repeat[r]!;
  const out = { from: new Float64Array(total), to: new Float64Array(total), bytes: new Float64Array(total) };
  const rowOf = new Int32Array(total);
  let w = 0;
  rows.forEach((r, i) => {
    for (let j = 0; j < iv.repeat[r]!; j++, w++) {
      out.from[w] = iv.from[r]! + j * iv.period;
      out.to[w] = iv.to[r]! + j * iv.period;
      out.bytes[w] = iv.bytes[r]!;
      rowOf[w] = i;
    }
  });
  const all = { ...iv, ...out, repeat: new Int32Array(total).fill(1) };
  const { at, d, order } = sortEnds(all, Int32Array.from(rowOf.keys()));
  for (const e of order) visit(at[e]!, d[e]!, rowOf[e >> 1]!);
}

/** Both ends of every repeated row, sorted by their order within a slot: (cycle mod period, change, index - 2 slot). */
function generatorsOf(iv: Lifetimes, rows: Int32Array, pos: Float64Array): Generators {
  const list: number[] = [];
  for (let i = 0; i < rows.length; i++) if (iv.repeat[rows[i]!]! > 1) list.push(i);
  const g = 2 * list.length;
  const out: Generators = {
    row: new Int32Array(g),
    cycle: new Float64Array(g),
    change: new Float64Array(g),
    count: new Float64Array(g),
    q: new Float64Array(g),
    index: new Float64Array(g),
  };
  const rest = new Float64Array(g);
  const p = iv.period;
  list.forEach((i, k) => {
    const r = rows[i]!;
    for (const x of [0, 1]) {
      const e = 2 * k + x;
      const cycle = x === 0 ? iv.from[r]! : iv.to[r]!;
      out.row[e] = i;
      out.cycle[e] = cycle;
      out.change[e] = x === 0 ? iv.bytes[r]! : -iv.bytes[r]!;
      out.count[e] = iv.repeat[r]!;
      out.q[e] = Math.floor(cycle / p);
      rest[e] = cycle - out.q[e]! * p;
      out.index[e] = 2 * (pos[i]! - out.q[e]!) + x;
    }
  });
  const order = Array.from(out.row.keys()).sort(
    (a, b) => rest[a]! - rest[b]! || out.change[a]! - out.change[b]! || out.index[a]! - out.index[b]!,
  );
  const pick = <T extends Float64Array | Int32Array>(a: T): T => a.map((_, k) => a[order[k]!]!) as T;
  return {
    row: pick(out.row),
    cycle: pick(out.cycle),
    change: pick(out.change),
    count: pick(out.count),
    q: pick(out.q),
    index: pick(out.index),
  };
}

/** The slots the generators' ends fall in: [lo, lo + slots). */
function slotRange(gen: Generators): { lo: number; slots: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let e = 0; e < gen.q.length; e++) {
    lo = Math.min(lo, gen.q[e]!);
    hi = Math.max(hi, gen.q[e]! + gen.count[e]! - 1);
  }
  return { lo, slots: hi - lo + 1 };
}

/** The generators' ends slot by slot (cycle, change, index, row), each slot's in the generators' order. */
function runSlots(
  gen: Generators,
  period: number,
  visit: (cycle: number, change: number, index: number, row: number) => void,
): void {
  const { lo, slots } = slotRange(gen);
  for (let k = lo; k < lo + slots; k++) {
    for (let e = 0; e < gen.q.length; e++) {
      const j = k - gen.q[e]!;
      if (j < 0 || j >= gen.count[e]!) continue;
      visit(gen.cycle[e]! + j * period, gen.change[e]!, gen.index[e]! + 2 * k, gen.row[e]!);
    }
  }
}

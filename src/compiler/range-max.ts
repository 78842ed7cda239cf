// Range add and range maximum over integer positions, for the memory mapper's occupancy per level
// instance: a segment tree over the elementary intervals between the positions its ranges start and
// end at (coordinate compression), so its size follows the ranges, not the length of the task list.

export class RangeMax {
  private readonly cuts: number[];
  private readonly size: number;
  private readonly max: Float64Array;
  private readonly pending: Float64Array;

  /** `ranges`: every inclusive [from, to] that will be added to or asked about. */
  constructor(ranges: readonly (readonly [number, number])[]) {
    const cuts = new Set<number>();
    for (const [from, to] of ranges) cuts.add(from).add(to + 1);
    this.cuts = [...cuts].sort((a, b) => a - b);
    this.size = Math.max(1, this.cuts.length - 1);
    this.max = new Float64Array(4 * this.size);
    this.pending = new Float64Array(4 * this.size);
  }

  /** Index of the elementary interval starting at `position` (a cut). */
  private segment(position: number): number {
    let lo = 0;
    let hi = this.cuts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cuts[mid]! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Highest value at any position of [from, to]. */
  peak(from: number, to: number): number {
    return this.query(1, 0, this.size - 1, this.segment(from), this.segment(to + 1) - 1);
  }

  /** Adds `value` at every position of [from, to]. */
  add(from: number, to: number, value: number): void {
    this.update(1, 0, this.size - 1, this.segment(from), this.segment(to + 1) - 1, value);
  }

  private query(node: number, lo: number, hi: number, a: number, b: number): number {
    if (b < lo || hi < a) return -Infinity;
    if (a <= lo && hi <= b) return this.max[node]!;
    const mid = (lo + hi) >> 1;
    const inner = Math.max(this.query(2 * node, lo, mid, a, b), this.query(2 * node + 1, mid + 1, hi, a, b));
    return inner + this.pending[node]!;
  }

  private update(node: number, lo: number, hi: number, a: number, b: number, value: number): void {
    if (b < lo || hi < a) return;
    if (a <= lo && hi <= b) {
      this.max[node]! += value;
      this.pending[node]! += value;
      return;
    }
    const mid = (lo + hi) >> 1;
    this.update(2 * node, lo, mid, a, b, value);
    this.update(2 * node + 1, mid + 1, hi, a, b, value);
    this.max[node] = Math.max(this.max[2 * node]!, this.max[2 * node + 1]!) + this.pending[node]!;
  }
}

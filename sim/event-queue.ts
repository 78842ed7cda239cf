// A binary min-heap of events keyed by (cycle, sequence): integer cycles, ties broken by insertion
// order so runs are deterministic. No simulation logic here.

export class EventQueue<T> {
  private readonly cycles: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(cycle: number, item: T): void {
    this.cycles.push(cycle);
    this.seqs.push(this.seq++);
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  /** Removes and returns the earliest event, or undefined when empty. */
  pop(): { cycle: number; item: T } | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = { cycle: this.cycles[0]!, item: this.items[0]! };
    this.swap(0, n - 1);
    this.cycles.pop();
    this.seqs.pop();
    this.items.pop();
    if (n > 1) this.down(0);
    return top;
  }

  private less(a: number, b: number): boolean {
    const ca = this.cycles[a]!;
    const cb = this.cycles[b]!;
    return ca < cb || (ca === cb && this.seqs[a]! < this.seqs[b]!);
  }

  private swap(a: number, b: number): void {
    [this.cycles[a], this.cycles[b]] = [this.cycles[b]!, this.cycles[a]!];
    [this.seqs[a], this.seqs[b]] = [this.seqs[b]!, this.seqs[a]!];
    [this.items[a], this.items[b]] = [this.items[b]!, this.items[a]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

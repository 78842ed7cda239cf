// The engine's quiet tasks: those only waiting out a whole number of cycles (an access latency, or
// compute with no transfer in flight), which no bandwidth share changes. They leave the per-milestone
// loop and wait in a min-heap by the cycle they wake at; whole cycles make that exact (the loop
// would subtract the same whole steps and reach 0 at that cycle).
import { active, type Flight, type InFlight } from './units/memory-service.js';

/** Cycles a quiet task waits out, or -1 when the task is not quiet (it has demands in flight, or a fractional wait). */
export function quietCycles(f: InFlight): number {
  if (f.phase === 0) return f.latencyLeft > 0 && Number.isInteger(f.latencyLeft) ? f.latencyLeft : -1;
  if (f.phase !== 2 || !(f.computeLeft > 0) || !Number.isInteger(f.computeLeft)) return -1;
  for (let d = 0; d < f.instance.length; d++) if (active(f, d)) return -1;
  return f.computeLeft;
}

/** quietCycles of a unit's running task, whose active demands are counted (`Flight.activeN`). */
export function quietFlightCycles(f: Flight): number {
  if (f.phase === 0) return f.latencyLeft > 0 && Number.isInteger(f.latencyLeft) ? f.latencyLeft : -1;
  if (f.phase !== 2 || !(f.computeLeft > 0) || !Number.isInteger(f.computeLeft) || f.activeN > 0) return -1;
  return f.computeLeft;
}

/** Units by the cycle their quiet task wakes at (a binary min-heap). */
export class WakeHeap {
  private readonly at: number[] = [];
  private readonly units: number[] = [];

  get size(): number {
    return this.at.length;
  }

  /** The earliest wake-up cycle (Infinity when empty). */
  first(): number {
    return this.at.length > 0 ? this.at[0]! : Infinity;
  }

  push(at: number, unit: number): void {
    let i = this.at.length;
    this.at.push(at);
    this.units.push(unit);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent]! <= at) break;
      this.move(parent, i);
      i = parent;
    }
    this.at[i] = at;
    this.units[i] = unit;
  }

  pop(): number {
    const unit = this.units[0]!;
    const lastAt = this.at.pop()!;
    const lastUnit = this.units.pop()!;
    const n = this.at.length;
    if (n === 0) return unit;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.at[child + 1]! < this.at[child]!) child++;
      if (this.at[child]! >= lastAt) break;
      this.move(child, i);
      i = child;
    }
    this.at[i] = lastAt;
    this.units[i] = lastUnit;
    return unit;
  }

  /** Each unit's wake-up cycle (-1: not in the heap). */
  wakeByUnit(units: number): Float64Array {
    const out = new Float64Array(units).fill(-1);
    for (let i = 0; i < this.at.length; i++) out[this.units[i]!] = this.at[i]!;
    return out;
  }

  /** Every wake-up `cycles` later (the order is unchanged). */
  shift(cycles: number): void {
    for (let i = 0; i < this.at.length; i++) this.at[i]! += cycles;
  }

  private move(from: number, to: number): void {
    this.at[to] = this.at[from]!;
    this.units[to] = this.units[from]!;
  }
}

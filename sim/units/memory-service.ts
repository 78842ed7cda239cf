// The memory service of the event-driven simulator: each level instance's bandwidth is shared, at
// every moment, equally among the task demands in flight on it (processor sharing: max-min fair, as
// no demand has a rate cap of its own). Idle bandwidth is never reserved: a lone requester gets the
// whole level, and a demand that finishes hands its share to the others at once (work-conserving).
// Pure bookkeeping over flat arrays; the engine decides which demands are in flight.

/** One task instance's outstanding work while it runs on its unit. */
export interface InFlight {
  /** 0: waiting out the access latency; 1: serial (not prefetched) transfers; 2: compute with prefetched transfers. */
  phase: 0 | 1 | 2;
  latencyLeft: number;
  computeLeft: number;
  /** Instance index, bytes left, whether served behind compute and requesters counted (TaskDemand weight), per demand. */
  instance: Int32Array;
  bytesLeft: Float64Array;
  overlapped: Uint8Array;
  weight: Float64Array;
}

/** A unit's reused record of its running task: which of its demands are counted as requesters (the active ones), and how many. */
export interface Flight extends InFlight {
  counted: Uint8Array;
  activeN: number;
}

const done = (bytes: number): boolean => bytes <= 1e-6;

/** Whether demand d of a task is being served in its current phase. */
export function active(f: InFlight, d: number): boolean {
  if (done(f.bytesLeft[d]!)) return false;
  return (f.phase === 1 && f.overlapped[d] === 0) || (f.phase === 2 && f.overlapped[d] === 1);
}

/**
 * Requesters per instance among the tasks in flight, kept as the tasks change instead of counted
 * again at every milestone: a task's demand is counted while it is active (`Flight.counted`). While
 * a milestone advances every task at the same rates, the changes wait (`defer`) until all have moved.
 */
export class Requesters {
  /** Requesters per instance, each demand counted at its weight. */
  readonly count: Float64Array;
  private deferring = false;
  /** Deferred changes: instance, then the weight added (negative: removed). */
  private readonly later: number[] = [];

  constructor(instances: number) {
    this.count = new Float64Array(instances);
  }

  defer(): void {
    this.deferring = true;
  }

  flush(): void {
    const later = this.later;
    for (let k = 0; k < later.length; k += 2) this.count[later[k]!]! += later[k + 1]!;
    later.length = 0;
    this.deferring = false;
  }

  private change(instance: number, weight: number): void {
    if (this.deferring) this.later.push(instance, weight);
    else this.count[instance]! += weight;
  }

  /** Counts a task's demands as its phase and bytes make them active now. */
  sync(f: Flight): void {
    let n = 0;
    for (let d = 0; d < f.instance.length; d++) {
      const a = active(f, d) ? 1 : 0;
      n += a;
      if (a !== f.counted[d]) {
        this.change(f.instance[d]!, a === 1 ? f.weight[d]! : -f.weight[d]!);
        f.counted[d] = a;
      }
    }
    f.activeN = n;
  }

  /** Cycles until this task's next milestone (a phase ends or one of its demands completes) at the current rates. */
  nextMilestone(f: Flight, bandwidth: Float64Array): number {
    if (f.phase === 0) return f.latencyLeft;
    const computing = f.phase === 2 && f.computeLeft > 0;
    let t = computing ? f.computeLeft : Infinity;
    const count = this.count;
    for (let d = 0; d < f.instance.length; d++) {
      if (f.counted[d] === 0) continue;
      const i = f.instance[d]!;
      t = Math.min(t, (f.bytesLeft[d]! * count[i]!) / (bandwidth[i]! * f.weight[d]!));
    }
    return computing || f.activeN > 0 ? t : 0;
  }

  /** Advances a task by dt cycles at the current rates; a demand that completes stops being counted. */
  advance(f: Flight, dt: number, bandwidth: Float64Array): void {
    if (f.phase === 0) {
      f.latencyLeft = Math.max(0, f.latencyLeft - dt);
      return;
    }
    if (f.phase === 2) f.computeLeft = Math.max(0, f.computeLeft - dt);
    const count = this.count;
    for (let d = 0; d < f.instance.length; d++) {
      if (f.counted[d] === 0) continue;
      const i = f.instance[d]!;
      const left = Math.max(0, f.bytesLeft[d]! - (dt * bandwidth[i]! * f.weight[d]!) / count[i]!);
      f.bytesLeft[d] = left;
      if (!done(left)) continue;
      f.counted[d] = 0;
      f.activeN--;
      this.change(i, -f.weight[d]!);
    }
  }

  /** Moves a task through phases that have nothing left; true when it has finished. */
  settle(f: Flight): boolean {
    for (;;) {
      if (f.phase === 0) {
        if (f.latencyLeft > 0) return false;
        f.phase = 1;
        this.sync(f);
      }
      if (f.phase === 1) {
        if (f.activeN > 0) return false;
        f.phase = 2;
        this.sync(f);
        continue;
      }
      return f.activeN === 0 && f.computeLeft <= 0;
    }
  }
}

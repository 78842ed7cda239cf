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
  /** Instance index, bytes left and whether served behind compute, per demand. */
  instance: Int32Array;
  bytesLeft: Float64Array;
  overlapped: Uint8Array;
}

const done = (bytes: number): boolean => bytes <= 1e-6;

/** Whether demand d of a task is being served in its current phase. */
export function active(f: InFlight, d: number): boolean {
  if (done(f.bytesLeft[d]!)) return false;
  return (f.phase === 1 && f.overlapped[d] === 0) || (f.phase === 2 && f.overlapped[d] === 1);
}

/** Requesters per instance among the tasks in flight. */
export function requesters(
  flights: readonly InFlight[],
  instances: number,
  out: Int32Array = new Int32Array(instances),
): Int32Array {
  out.fill(0);
  for (const f of flights) {
    for (let d = 0; d < f.instance.length; d++) if (active(f, d)) out[f.instance[d]!]!++;
  }
  return out;
}

/** Cycles until this task's next milestone (a phase ends or one of its demands completes) at the current rates. */
export function nextMilestone(f: InFlight, bandwidth: Float64Array, count: Int32Array): number {
  if (f.phase === 0) return f.latencyLeft;
  let t = f.phase === 2 && f.computeLeft > 0 ? f.computeLeft : Infinity;
  let any = f.phase === 2 && f.computeLeft > 0;
  for (let d = 0; d < f.instance.length; d++) {
    if (!active(f, d)) continue;
    any = true;
    const i = f.instance[d]!;
    t = Math.min(t, (f.bytesLeft[d]! * count[i]!) / bandwidth[i]!);
  }
  return any ? t : 0;
}

/** Advances a task by dt cycles at the current rates. */
export function advance(f: InFlight, dt: number, bandwidth: Float64Array, count: Int32Array): void {
  if (f.phase === 0) {
    f.latencyLeft = Math.max(0, f.latencyLeft - dt);
    return;
  }
  if (f.phase === 2) f.computeLeft = Math.max(0, f.computeLeft - dt);
  for (let d = 0; d < f.instance.length; d++) {
    if (!active(f, d)) continue;
    const i = f.instance[d]!;
    f.bytesLeft[d] = Math.max(0, f.bytesLeft[d]! - (dt * bandwidth[i]!) / count[i]!);
  }
}

/** Moves a task through phases that have nothing left; true when it has finished. */
export function settle(f: InFlight): boolean {
  for (;;) {
    if (f.phase === 0) {
      if (f.latencyLeft > 0) return false;
      f.phase = 1;
    }
    let pending = false;
    for (let d = 0; d < f.instance.length; d++) if (active(f, d)) pending = true;
    if (f.phase === 1) {
      if (pending) return false;
      f.phase = 2;
      continue;
    }
    return !pending && f.computeLeft <= 0;
  }
}

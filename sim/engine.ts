// The event-driven core: unrolls a CompiledStep over iterations and runs every task instance on its
// unit in a fixed order (iteration-major, then the compiler's task order) once its dependencies are
// done. A running task asks for compute cycles and bytes per memory instance; no duration is fixed in
// advance: time advances from milestone to milestone (a latency elapses, a demand or the compute
// completes), and between milestones every instance's bandwidth is shared among the demands in flight
// on it (sim/units/memory-service.ts). Integer cycles (milestones round up); a hard bound on steps.
// The report is assembled in sim/simulate.ts.
import type { CompiledStep } from '../src/compiler/types.js';
import { SimulationDeadlockError } from '../src/errors.js';
import { buildEngineIndex, type EngineIndex } from './engine-index.js';
import { GroupCountdown } from './engine-groups.js';
import { SteadyState, type EngineState } from './engine-period.js';
import { quietFlightCycles, WakeHeap } from './engine-quiet.js';
import { Requesters, type Flight, type InFlight } from './units/memory-service.js';
import type { TaskDemand } from './units/memory.js';

/**
 * A step is simulated several times (its core-count trial, spill passes, the report's run): its index
 * (12 million dependencies resolved from task ids on the 1024-core mesh) is built once; it is only read.
 */
const indexByStep = new WeakMap<CompiledStep, EngineIndex>();

export interface EngineInput {
  step: CompiledStep;
  iterations: number;
  /** Compute cycles of each task (index in step.tasks), no memory. */
  compute: readonly number[];
  /** What each task asks of the memory instances (indices into `bandwidth`). */
  demand: readonly TaskDemand[];
  /** Per task index, its demand in iteration 0 where that differs (first loads of on-chip tensors). */
  firstDemand?: ReadonlyMap<number, TaskDemand>;
  /** Bytes per cycle of each memory instance. */
  bandwidth: Float64Array;
  maxEvents: number;
  /** Jump over iterations that repeat the previous one exactly (engine-period.ts); default true. */
  extrapolate?: boolean;
  /** Called every 4096 events with task instances finished and their total (progress bars). */
  onProgress?: (completed: number, total: number) => void;
}

export interface EngineRun {
  /** start/end of instance it * tasks + t. */
  start: Float64Array;
  end: Float64Array;
  totalCycles: number;
  /** Simulation steps taken (milestones), bounded by maxEvents. */
  events: number;
  /** Idle unit-cycles by cause, summed and per unit. */
  idle: { dependency: number; 'pipeline-bubble': number };
  idleByUnit: { dependency: Float64Array; 'pipeline-bubble': Float64Array };
  unitKeys: string[];
  /** Cycles each unit was occupied by a task (compute and memory stalls). */
  busyByUnit: number[];
  /** Iterations not simulated one by one: they repeated the one before them exactly (engine-period.ts). */
  skippedIterations: number;
}
/** A task's template per demand: a spill pass reuses the demands it did not change, and their templates with them (only read). */
const templateByDemand = new WeakMap<TaskDemand, InFlight>();

function templateOf(compute: number, d: TaskDemand): InFlight {
  const cached = templateByDemand.get(d);
  if (cached !== undefined && cached.computeLeft === compute) return cached;
  const made = newTemplate(compute, d);
  templateByDemand.set(d, made);
  return made;
}

function newTemplate(compute: number, d: TaskDemand): InFlight {
  const k = d.demands.length;
  const instance = new Int32Array(k);
  const bytesLeft = new Float64Array(k);
  const overlapped = new Uint8Array(k);
  const weight = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const x = d.demands[j]!;
    instance[j] = x.instance;
    bytesLeft[j] = x.bytes;
    overlapped[j] = x.overlapped ? 1 : 0;
    weight[j] = x.weight;
  }
  return { phase: 0, latencyLeft: d.latencyCycles, computeLeft: compute, instance, bytesLeft, overlapped, weight };
}

export function runEngine(input: EngineInput): EngineRun {
  const engine = new Engine(input);
  engine.run();
  return engine.result();
}

/**
 * The simulation state. Each unit reuses one InFlight record (its bytes-left buffer sized for the
 * unit's largest task); a task instance is ready when its count of unfinished dependencies is 0; the
 * units with a task in flight are kept in a list (their order changes nothing: completions at one
 * cycle touch disjoint state, and what they start depends only on which tasks are done).
 */
class Engine implements EngineState {
  readonly n: number;
  readonly iterations: number;
  private readonly ix: EngineIndex;
  private readonly templates: InFlight[];
  private readonly firstTemplates: Map<number, InFlight>;
  private readonly coreOf: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly remaining: Int32Array;
  readonly pos: Int32Array;
  readonly unitLen: Int32Array;
  readonly flights: Flight[];
  readonly running: Uint8Array;
  readonly runningInst: Int32Array;
  readonly lastEnd: Float64Array;
  readonly busyByUnit: number[];
  readonly idleByUnit: { dependency: Float64Array; 'pipeline-bubble': Float64Array };
  private readonly liveUnits: number[] = [];
  private readonly liveFlights: Flight[] = [];
  /** The units a milestone moves from the loop to the quiet heap (one list for every milestone). */
  private readonly quieted: number[] = [];
  readonly liveAt: Int32Array;
  private finished: number[] = [];
  readonly quiet = new WakeHeap();
  private readonly wakeStamp: Int32Array;
  private readonly wakeList: number[] = [];
  private round = 0;
  readonly depCountdown: GroupCountdown;
  readonly prevCountdown: GroupCountdown;
  readonly maxEvents: number;
  private readonly steady: SteadyState;
  /** Requesters per memory instance among the tasks in flight (each milestone's bandwidth shares). */
  private readonly requesters: Requesters;
  now = 0;
  completed = 0;
  events = 0;

  constructor(private readonly input: EngineInput) {
    const { step, iterations } = input;
    this.n = step.tasks.length;
    this.iterations = iterations;
    this.ix = indexByStep.get(step) ?? buildEngineIndex(step);
    indexByStep.set(step, this.ix);
    this.templates = step.tasks.map((_, t) => templateOf(input.compute[t]!, input.demand[t]!));
    this.firstTemplates = new Map(
      [...(input.firstDemand ?? [])].map(([t, d]) => [t, templateOf(input.compute[t]!, d)] as const),
    );
    this.coreOf = Int32Array.from(step.tasks.map((t) => t.unit.core));
    const total = this.n * iterations;
    this.start = new Float64Array(total).fill(-1);
    this.end = new Float64Array(total).fill(-1);
    this.remaining = this.initialCounts();
    this.depCountdown = new GroupCountdown(this.ix.depGroups, iterations);
    this.prevCountdown = new GroupCountdown(this.ix.prevGroups, iterations);
    const units = this.ix.unitTasks.length;
    this.pos = new Int32Array(units);
    this.unitLen = Int32Array.from(this.ix.unitTasks, (tasks) => tasks.length);
    this.maxEvents = input.maxEvents;
    this.steady = new SteadyState(this, this.firstTemplates.size > 0 ? 1 : 0);
    this.flights = this.ix.unitTasks.map((tasks) => this.flightBuffer(tasks));
    this.running = new Uint8Array(units);
    this.runningInst = new Int32Array(units).fill(-1);
    this.lastEnd = new Float64Array(units);
    this.busyByUnit = new Array<number>(units).fill(0);
    this.idleByUnit = { dependency: new Float64Array(units), 'pipeline-bubble': new Float64Array(units) };
    this.liveAt = new Int32Array(units).fill(-1);
    this.wakeStamp = new Int32Array(units).fill(-1);
    this.requesters = new Requesters(input.bandwidth.length);
  }

  /** Unfinished dependencies of every task instance (none from before iteration 0). */
  private initialCounts(): Int32Array {
    const { n, iterations } = this;
    const { deps, prevDeps, depGroups, prevGroups } = this.ix;
    // A shared list counts as one dependency: its group's release.
    const own = Int32Array.from({ length: n }, (_, t) =>
      depGroups.ofTask[t]! >= 0 ? 1 : deps.start[t + 1]! - deps.start[t]!,
    );
    const prev = Int32Array.from({ length: n }, (_, t) =>
      prevGroups.ofTask[t]! >= 0 ? 1 : prevDeps.start[t + 1]! - prevDeps.start[t]!,
    );
    const counts = new Int32Array(n * iterations);
    counts.set(own);
    const later = own.map((c, t) => c + prev[t]!);
    for (let it = 1; it < iterations; it++) counts.set(later, it * n);
    return counts;
  }

  private flightBuffer(tasks: Int32Array): Flight {
    let most = 0;
    for (const t of tasks)
      most = Math.max(most, this.templates[t]!.bytesLeft.length, this.firstTemplates.get(t)?.bytesLeft.length ?? 0);
    const { instance, overlapped, weight } = this.templates[tasks[0]!]!;
    // One object literal for every unit's record, so the engine's loops see one shape.
    const bytesLeft = new Float64Array(most);
    return {
      phase: 0,
      latencyLeft: 0,
      computeLeft: 0,
      instance,
      bytesLeft,
      overlapped,
      weight,
      counted: new Uint8Array(most),
      activeN: 0,
    };
  }

  /** The next task instance of unit u in issue order (-1: none left). */
  head(u: number): number {
    const list = this.ix.unitTasks[u]!;
    const p = this.pos[u]!;
    const len = list.length;
    if (p >= len * this.iterations) return -1;
    const it = Math.floor(p / len);
    return it * this.n + list[p - it * len]!;
  }

  /** The dependency instance that finished last (first such in dependency order; -1: none). */
  private lastDependency(it: number, t: number): number {
    const { deps, prevDeps, depGroups, prevGroups } = this.ix;
    const later = (a: number, b: number) => (a < 0 || this.end[b]! > this.end[a]! ? b : a);
    let last = -1;
    const g = depGroups.ofTask[t]!;
    if (g >= 0) last = this.depCountdown.lastOf(g, it);
    else for (let k = deps.start[t]!; k < deps.start[t + 1]!; k++) last = later(last, it * this.n + deps.list[k]!);
    if (it === 0) return last;
    const pg = prevGroups.ofTask[t]!;
    if (pg >= 0) return later(last, this.prevCountdown.lastOf(pg, it - 1));
    for (let k = prevDeps.start[t]!; k < prevDeps.start[t + 1]!; k++)
      last = later(last, (it - 1) * this.n + prevDeps.list[k]!);
    return last;
  }

  private tryStart(u: number): void {
    if (this.running[u] === 1) return;
    const inst = this.head(u);
    if (inst < 0 || this.remaining[inst] !== 0) return;
    const it = Math.floor(inst / this.n);
    const t = inst - it * this.n;
    const gap = this.now - this.lastEnd[u]!;
    if (gap > 0) {
      // Waiting on another core is the pipeline's bubble; on the own core, a plain dependency.
      const last = this.lastDependency(it, t);
      const other = last < 0 || this.coreOf[last % this.n] !== this.coreOf[t];
      this.idleByUnit[this.pos[u] === 0 || other ? 'pipeline-bubble' : 'dependency'][u]! += gap;
    }
    const f = this.flights[u]!;
    const tmpl = (it === 0 ? this.firstTemplates.get(t) : undefined) ?? this.templates[t]!;
    f.phase = 0;
    f.latencyLeft = tmpl.latencyLeft;
    f.computeLeft = tmpl.computeLeft;
    f.instance = tmpl.instance;
    f.overlapped = tmpl.overlapped;
    f.weight = tmpl.weight;
    // A task asks of a few instances: a loop copies them faster than TypedArray.set's call.
    for (let d = 0; d < tmpl.bytesLeft.length; d++) f.bytesLeft[d] = tmpl.bytesLeft[d]!;
    this.running[u] = 1;
    this.runningInst[u] = inst;
    this.start[inst] = this.now;
    if (this.requesters.settle(f)) this.finished.push(u);
    else this.place(u, f);
  }

  /** A running task joins the per-milestone loop, or the quiet heap while it only waits out whole cycles. */
  private place(u: number, f: Flight): void {
    const wait = quietFlightCycles(f);
    if (wait > 0) {
      this.quiet.push(this.now + wait, u);
      return;
    }
    this.liveAt[u] = this.liveUnits.length;
    this.liveUnits.push(u);
    this.liveFlights.push(f);
  }

  /** Quiet tasks whose wait ends now: their wait is over; they finish, or go on in the loop or quietly. */
  private wakeQuiet(): void {
    while (this.quiet.first() === this.now) {
      const u = this.quiet.pop();
      const f = this.flights[u]!;
      if (f.phase === 0) f.latencyLeft = 0;
      else f.computeLeft = 0;
      if (this.requesters.settle(f)) this.finished.push(u);
      else this.place(u, f);
    }
  }

  private wake(u: number): void {
    if (this.wakeStamp[u] === this.round) return;
    this.wakeStamp[u] = this.round;
    this.wakeList.push(u);
  }

  private leaveLive(u: number): void {
    const at = this.liveAt[u]!;
    if (at < 0) return;
    const lastUnit = this.liveUnits.pop()!;
    const lastFlight = this.liveFlights.pop()!;
    if (lastUnit !== u) {
      this.liveUnits[at] = lastUnit;
      this.liveFlights[at] = lastFlight;
      this.liveAt[lastUnit] = at;
    }
    this.liveAt[u] = -1;
  }

  private complete(u: number): void {
    const { n, ix, remaining } = this;
    const inst = this.runningInst[u]!;
    const it = Math.floor(inst / n);
    const t = inst - it * n;
    this.end[inst] = this.now;
    this.completed++;
    this.busyByUnit[u]! += this.now - this.start[inst]!;
    this.running[u] = 0;
    this.leaveLive(u);
    this.lastEnd[u] = this.now;
    this.pos[u]!++;
    this.wake(u);
    for (let k = ix.waiters.start[t]!; k < ix.waiters.start[t + 1]!; k++) {
      const w = ix.waiters.list[k]!;
      remaining[it * n + w]!--;
      this.wake(ix.unitOf[w]!);
    }
    if (it + 1 < this.iterations)
      for (let k = ix.nextWaiters.start[t]!; k < ix.nextWaiters.start[t + 1]!; k++) {
        const w = ix.nextWaiters.list[k]!;
        remaining[(it + 1) * n + w]!--;
        this.wake(ix.unitOf[w]!);
      }
    this.depCountdown.finished(t, it, inst, this.end, this.releaseDep);
    if (it + 1 < this.iterations) this.prevCountdown.finished(t, it, inst, this.end, this.releasePrev);
  }

  /** A group of iteration `it` is done: its waiters in `it` (a shared dependency list) or in `it + 1` (previous-iteration list). */
  private readonly releaseDep = (g: number, it: number): void => this.release(this.ix.depGroups.waiters, g, it);
  private readonly releasePrev = (g: number, it: number): void => this.release(this.ix.prevGroups.waiters, g, it + 1);

  /** A group's members are all done: each of its waiters in iteration `it` has one dependency fewer. */
  private release(waiters: EngineIndex['waiters'], g: number, it: number): void {
    for (let k = waiters.start[g]!; k < waiters.start[g + 1]!; k++) {
      const w = waiters.list[k]!;
      this.remaining[it * this.n + w]!--;
      this.wake(this.ix.unitOf[w]!);
    }
  }

  /** Completes every finished task at `now`, then starts what became ready (zero-work tasks cascade). */
  private drain(): void {
    while (this.finished.length > 0) {
      const batch = this.finished;
      this.finished = [];
      this.round++;
      for (const u of batch) this.complete(u);
      for (const u of this.wakeList) this.tryStart(u);
      this.wakeList.length = 0;
    }
  }

  /** One milestone: shares each instance's bandwidth among its requesters and advances to the nearest event. */
  private step(bandwidth: Float64Array): void {
    const live = this.liveFlights;
    const req = this.requesters;
    let dt = this.quiet.first() - this.now;
    for (const f of live) dt = Math.min(dt, req.nextMilestone(f, bandwidth));
    if ((this.events & 4095) === 0) this.input.onProgress?.(this.completed, this.n * this.iterations);
    if (++this.events > this.maxEvents)
      throw new SimulationDeadlockError(
        `simulation stopped after ${this.input.maxEvents} events (the event bound) at cycle ${this.now}; hint: fewer iterations or a larger bound`,
      );
    const dtCycles = Math.max(1, Math.ceil(dt - 1e-9));
    // Each task advances at the rates of this milestone and then settles (neither touches another task).
    const quieted = this.quieted;
    quieted.length = 0;
    req.defer();
    for (let i = 0; i < live.length; i++) {
      req.advance(live[i]!, dtCycles, bandwidth);
      if (req.settle(live[i]!)) this.finished.push(this.liveUnits[i]!);
      else if (quietFlightCycles(live[i]!) > 0) quieted.push(this.liveUnits[i]!);
    }
    req.flush();
    this.now += dtCycles;
    for (const u of quieted) {
      this.leaveLive(u);
      this.place(u, this.flights[u]!);
    }
    this.wakeQuiet();
    this.drain();
  }

  run(): void {
    const units = this.ix.unitTasks.length;
    this.round++;
    for (let u = 0; u < units; u++) this.tryStart(u);
    this.drain();
    const { bandwidth } = this.input;
    const steady = this.steady;
    steady.done ||= this.input.extrapolate === false;
    while (this.liveFlights.length > 0 || this.quiet.size > 0) {
      this.step(bandwidth);
      if (!steady.done && this.pos[0]! >= steady.due) steady.check();
    }
    if (this.completed < this.n * this.iterations) throw deadlock(this.input.step, this.ix, this, this.n);
  }

  result(): EngineRun {
    const units = this.ix.unitTasks.length;
    const { idleByUnit } = this;
    for (let u = 0; u < units; u++) idleByUnit['pipeline-bubble'][u]! += this.now - this.lastEnd[u]!;
    const sum = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0);
    const idle = { dependency: sum(idleByUnit.dependency), 'pipeline-bubble': sum(idleByUnit['pipeline-bubble']) };
    return {
      start: this.start,
      end: this.end,
      totalCycles: this.now,
      events: this.events,
      idle,
      idleByUnit,
      unitKeys: this.ix.unitKeys,
      busyByUnit: this.busyByUnit,
      skippedIterations: this.steady.skipped,
    };
  }
}

function deadlock(
  step: CompiledStep,
  ix: EngineIndex,
  state: Pick<Engine, 'head' | 'end'>,
  n: number,
): SimulationDeadlockError {
  const done = (inst: number) => state.end[inst]! >= 0;
  for (let u = 0; u < ix.unitTasks.length; u++) {
    const inst = state.head(u);
    if (inst < 0) continue;
    const it = Math.floor(inst / n);
    const t = inst % n;
    const deps = ix.deps.list.subarray(ix.deps.start[t]!, ix.deps.start[t + 1]!);
    const missing = deps.find((d) => !done(it * n + d));
    const task = step.tasks[t]!;
    const prev = ix.prevDeps.list.subarray(ix.prevDeps.start[t]!, ix.prevDeps.start[t + 1]!);
    const waitsOn = missing !== undefined ? step.tasks[missing]!.id : prev.length > 0 ? step.tasks[prev[0]!]!.id : '?';
    return new SimulationDeadlockError(
      `deadlock: task ${task.id} (iteration ${it}) on core ${task.unit.core} unit ${task.unit.unit} waits for ${waitsOn}, which never finishes (a dependency cycle, or a task ordered after its dependent on the same unit); hint: the schedule ${step.options.schedule} is infeasible as compiled`,
    );
  }
  return new SimulationDeadlockError(
    'deadlock: no unit can start a task; hint: the compiled step has a dependency cycle',
  );
}

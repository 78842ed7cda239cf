// The event-driven core: unrolls a CompiledStep over iterations and runs every task instance on its
// unit in a fixed order (iteration-major, then the compiler's task order) once its dependencies are
// done. A running task asks for compute cycles and bytes per memory instance; no duration is fixed in
// advance: time advances from milestone to milestone (a latency elapses, a demand or the compute
// completes), and between milestones every instance's bandwidth is shared among the demands in flight
// on it (sim/units/memory-service.ts). Integer cycles (milestones round up); a hard bound on steps.
// The report is assembled in sim/simulate.ts.
import type { CompiledStep } from '../src/compiler/types.js';
import { SimulationDeadlockError } from '../src/errors.js';
import { advance, nextMilestone, requesters, settle, type InFlight } from './units/memory-service.js';
import type { TaskDemand } from './units/memory.js';

export interface EngineInput {
  step: CompiledStep;
  iterations: number;
  /** Compute cycles of each task (index in step.tasks), no memory. */
  compute: readonly number[];
  /** What each task asks of the memory instances (indices into `bandwidth`). */
  demand: readonly TaskDemand[];
  /** Bytes per cycle of each memory instance. */
  bandwidth: Float64Array;
  maxEvents: number;
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
}
interface Index {
  unitOf: Int32Array;
  unitTasks: number[][];
  deps: number[][];
  prevDeps: number[][];
  dependents: number[][];
  unitKeys: string[];
}

function buildIndex(step: CompiledStep): Index {
  const ids = new Map(step.tasks.map((t, i) => [t.id, i]));
  const resolve = (task: string, list: string[]) =>
    list.map((d) => {
      const i = ids.get(d);
      if (i === undefined)
        throw new SimulationDeadlockError(
          `task ${task} depends on unknown task ${d}; hint: the compiled step is inconsistent`,
        );
      return i;
    });
  const unitIds = new Map<string, number>();
  const unitTasks: number[][] = [];
  const unitOf = new Int32Array(step.tasks.length);
  const dependents: number[][] = step.tasks.map(() => []);
  const deps = step.tasks.map((t) => resolve(t.id, t.deps));
  const prevDeps = step.tasks.map((t) => resolve(t.id, t.prevIterationDeps));
  step.tasks.forEach((t, i) => {
    const key = `${t.unit.core}/${t.unit.unit}`;
    let u = unitIds.get(key);
    if (u === undefined) {
      u = unitTasks.length;
      unitIds.set(key, u);
      unitTasks.push([]);
    }
    unitTasks[u]!.push(i);
    unitOf[i] = u;
    for (const d of [...deps[i]!, ...prevDeps[i]!]) dependents[d]!.push(i);
  });
  return { unitOf, unitTasks, deps, prevDeps, dependents, unitKeys: [...unitIds.keys()] };
}

function templateOf(compute: number, d: TaskDemand): InFlight {
  return {
    phase: 0,
    latencyLeft: d.latencyCycles,
    computeLeft: compute,
    instance: Int32Array.from(d.demands.map((x) => x.instance)),
    bytesLeft: Float64Array.from(d.demands.map((x) => x.bytes)),
    overlapped: Uint8Array.from(d.demands.map((x) => (x.overlapped ? 1 : 0))),
  };
}

const fresh = (t: InFlight): InFlight => ({ ...t, bytesLeft: t.bytesLeft.slice() });

export function runEngine(input: EngineInput): EngineRun {
  const { step, iterations, bandwidth } = input;
  const n = step.tasks.length;
  const ix = buildIndex(step);
  const templates = step.tasks.map((_, t) => templateOf(input.compute[t]!, input.demand[t]!));
  const total = n * iterations;
  const start = new Float64Array(total).fill(-1);
  const end = new Float64Array(total).fill(-1);
  const done = new Uint8Array(total);
  const units = ix.unitTasks.length;
  const pos = new Int32Array(units);
  const running: (InFlight | undefined)[] = new Array(units).fill(undefined);
  const runningInst = new Int32Array(units).fill(-1);
  const lastEnd = new Float64Array(units);
  const busyByUnit = new Array<number>(units).fill(0);
  const idleByUnit = { dependency: new Float64Array(units), 'pipeline-bubble': new Float64Array(units) };
  const core = (t: number) => step.tasks[t]!.unit.core;
  const head = (u: number): number => {
    const list = ix.unitTasks[u]!;
    const p = pos[u]!;
    return p >= list.length * iterations ? -1 : Math.floor(p / list.length) * n + list[p % list.length]!;
  };
  const ready = (inst: number): boolean => {
    const it = Math.floor(inst / n);
    const t = inst % n;
    return (
      ix.deps[t]!.every((d) => done[it * n + d] === 1) &&
      (it === 0 || ix.prevDeps[t]!.every((d) => done[(it - 1) * n + d] === 1))
    );
  };
  const finished: number[] = [];
  const tryStart = (u: number, now: number) => {
    if (running[u]) return;
    const inst = head(u);
    if (inst < 0 || !ready(inst)) return;
    const t = inst % n;
    const gap = now - lastEnd[u]!;
    if (gap > 0) {
      // Waiting on another core is the pipeline's bubble; on the own core, a plain dependency.
      const it = Math.floor(inst / n);
      const waits = [
        ...ix.deps[t]!.map((d) => it * n + d),
        ...(it > 0 ? ix.prevDeps[t]!.map((d) => (it - 1) * n + d) : []),
      ];
      const last = waits.reduce((a, b) => (a < 0 || end[b]! > end[a]! ? b : a), -1);
      const cause = pos[u] === 0 || last < 0 || core(last % n) !== core(t) ? 'pipeline-bubble' : 'dependency';
      idleByUnit[cause][u]! += gap;
    }
    const f = fresh(templates[t]!);
    running[u] = f;
    runningInst[u] = inst;
    start[inst] = now;
    if (settle(f)) finished.push(u);
  };
  let now = 0;
  let completed = 0;
  /** Completes every finished task at `now`, then starts what became ready (zero-work tasks cascade). */
  const drain = () => {
    while (finished.length > 0) {
      const batch = finished.splice(0).sort((a, b) => a - b);
      const wake = new Set<number>();
      for (const u of batch) {
        const inst = runningInst[u]!;
        end[inst] = now;
        done[inst] = 1;
        completed++;
        busyByUnit[u]! += now - start[inst]!;
        running[u] = undefined;
        lastEnd[u] = now;
        pos[u]!++;
        wake.add(u);
        for (const d of ix.dependents[inst % n]!) wake.add(ix.unitOf[d]!);
      }
      for (const u of [...wake].sort((a, b) => a - b)) tryStart(u, now);
    }
  };
  for (let u = 0; u < units; u++) tryStart(u, 0);
  drain();
  const instances = bandwidth.length;
  const count = new Int32Array(instances);
  let events = 0;
  const live: InFlight[] = [];
  const liveUnits: number[] = [];
  for (;;) {
    // Only the units with a task in flight, in unit order (the completion order at a cycle is unit order).
    live.length = 0;
    liveUnits.length = 0;
    for (let u = 0; u < units; u++) {
      const f = running[u];
      if (f) {
        live.push(f);
        liveUnits.push(u);
      }
    }
    if (live.length === 0) break;
    requesters(live, instances, count);
    let dt = Infinity;
    for (const f of live) dt = Math.min(dt, nextMilestone(f, bandwidth, count));
    if ((events & 4095) === 0) input.onProgress?.(completed, total);
    if (++events > input.maxEvents)
      throw new SimulationDeadlockError(
        `simulation stopped after ${input.maxEvents} events (the event bound) at cycle ${now}; hint: fewer iterations or a larger bound`,
      );
    const dtCycles = Math.max(1, Math.ceil(dt - 1e-9));
    for (const f of live) advance(f, dtCycles, bandwidth, count);
    now += dtCycles;
    for (let i = 0; i < live.length; i++) if (settle(live[i]!)) finished.push(liveUnits[i]!);
    drain();
  }
  if (completed < total) throw deadlock(step, ix, head, done, n);
  for (let u = 0; u < units; u++) idleByUnit['pipeline-bubble'][u]! += now - lastEnd[u]!;
  const sum = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0);
  const idle = { dependency: sum(idleByUnit.dependency), 'pipeline-bubble': sum(idleByUnit['pipeline-bubble']) };
  return { start, end, totalCycles: now, events, idle, idleByUnit, unitKeys: ix.unitKeys, busyByUnit };
}

function deadlock(
  step: CompiledStep,
  ix: Index,
  head: (u: number) => number,
  done: Uint8Array,
  n: number,
): SimulationDeadlockError {
  for (let u = 0; u < ix.unitTasks.length; u++) {
    const inst = head(u);
    if (inst < 0) continue;
    const it = Math.floor(inst / n);
    const t = inst % n;
    const missing = ix.deps[t]!.find((d) => done[it * n + d] !== 1);
    const task = step.tasks[t]!;
    const waitsOn =
      missing !== undefined
        ? step.tasks[missing]!.id
        : (ix.prevDeps[t]!.map((d) => step.tasks[d]!.id).find(() => true) ?? '?');
    return new SimulationDeadlockError(
      `deadlock: task ${task.id} (iteration ${it}) on core ${task.unit.core} unit ${task.unit.unit} waits for ${waitsOn}, which never finishes (a dependency cycle, or a task ordered after its dependent on the same unit); hint: the schedule ${step.options.schedule} is infeasible as compiled`,
    );
  }
  return new SimulationDeadlockError(
    'deadlock: no unit can start a task; hint: the compiled step has a dependency cycle',
  );
}

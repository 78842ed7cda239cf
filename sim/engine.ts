// The event-driven core: unrolls a CompiledStep over iterations and runs every task instance on its
// unit in a fixed order (iteration-major, then the compiler's task order) once its dependencies are
// done. Integer cycles; a binary-heap event queue of task completions; a hard bound on events.
// Durations come from sim/units; the report is assembled in sim/simulate.ts.
import type { CompiledStep } from '../src/compiler/types.js';
import { SimulationDeadlockError } from '../src/errors.js';
import type { StallCause } from '../src/report/sim-report.js';
import { EventQueue } from './event-queue.js';

export interface EngineInput {
  step: CompiledStep;
  iterations: number;
  /** Duration of each task (index in step.tasks), memory included. */
  durations: readonly number[];
  maxEvents: number;
}

export interface EngineRun {
  /** start/end of instance it * tasks + t. */
  start: Float64Array;
  end: Float64Array;
  totalCycles: number;
  events: number;
  /** Idle unit-cycles by cause (bandwidth and capacity stalls are added by the caller). */
  idle: Pick<Record<StallCause, number>, 'dependency' | 'pipeline-bubble'>;
  unitKeys: string[];
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
      if (i === undefined) throw new SimulationDeadlockError(`task ${task} depends on unknown task ${d}; hint: the compiled step is inconsistent`);
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

export function runEngine(input: EngineInput): EngineRun {
  const { step, iterations, durations } = input;
  const n = step.tasks.length;
  const ix = buildIndex(step);
  const total = n * iterations;
  const start = new Float64Array(total).fill(-1);
  const end = new Float64Array(total).fill(-1);
  const done = new Uint8Array(total);
  const units = ix.unitTasks.length;
  const pos = new Int32Array(units);
  const busy = new Uint8Array(units);
  const lastEnd = new Float64Array(units);
  const busyByUnit = new Array<number>(units).fill(0);
  const idle = { dependency: 0, 'pipeline-bubble': 0 };
  const queue = new EventQueue<number>();
  const core = (t: number) => step.tasks[t]!.unit.core;
  const head = (u: number): number => {
    const list = ix.unitTasks[u]!;
    const p = pos[u]!;
    return p >= list.length * iterations ? -1 : Math.floor(p / list.length) * n + list[p % list.length]!;
  };
  const ready = (inst: number): boolean => {
    const it = Math.floor(inst / n);
    const t = inst % n;
    return ix.deps[t]!.every((d) => done[it * n + d] === 1) && (it === 0 || ix.prevDeps[t]!.every((d) => done[(it - 1) * n + d] === 1));
  };
  const tryStart = (u: number, now: number) => {
    if (busy[u]) return;
    const inst = head(u);
    if (inst < 0 || !ready(inst)) return;
    const t = inst % n;
    const gap = now - lastEnd[u]!;
    if (gap > 0) {
      // Waiting on another core is the pipeline's bubble; on the own core, a plain dependency.
      const it = Math.floor(inst / n);
      const waits = [...ix.deps[t]!.map((d) => it * n + d), ...(it > 0 ? ix.prevDeps[t]!.map((d) => (it - 1) * n + d) : [])];
      const last = waits.reduce((a, b) => (a < 0 || end[b]! > end[a]! ? b : a), -1);
      const cause = pos[u] === 0 || last < 0 || core(last % n) !== core(t) ? 'pipeline-bubble' : 'dependency';
      idle[cause] += gap;
    }
    busy[u] = 1;
    start[inst] = now;
    end[inst] = now + durations[t]!;
    busyByUnit[u]! += durations[t]!;
    queue.push(end[inst]!, inst);
  };
  for (let u = 0; u < units; u++) tryStart(u, 0);
  let events = 0;
  let completed = 0;
  let now = 0;
  for (let ev = queue.pop(); ev; ev = queue.pop()) {
    if (++events > input.maxEvents) throw new SimulationDeadlockError(`simulation stopped after ${input.maxEvents} events (the event bound) at cycle ${ev.cycle}; hint: fewer iterations or a larger bound`);
    now = ev.cycle;
    const inst = ev.item;
    const t = inst % n;
    const u = ix.unitOf[t]!;
    done[inst] = 1;
    completed++;
    busy[u] = 0;
    lastEnd[u] = now;
    pos[u]!++;
    tryStart(u, now);
    for (const d of ix.dependents[t]!) tryStart(ix.unitOf[d]!, now);
  }
  if (completed < total) throw deadlock(step, ix, head, done, n);
  for (let u = 0; u < units; u++) idle['pipeline-bubble'] += now - lastEnd[u]!;
  return { start, end, totalCycles: now, events, idle, unitKeys: ix.unitKeys, busyByUnit };
}

function deadlock(step: CompiledStep, ix: Index, head: (u: number) => number, done: Uint8Array, n: number): SimulationDeadlockError {
  for (let u = 0; u < ix.unitTasks.length; u++) {
    const inst = head(u);
    if (inst < 0) continue;
    const it = Math.floor(inst / n);
    const t = inst % n;
    const missing = ix.deps[t]!.find((d) => done[it * n + d] !== 1);
    const task = step.tasks[t]!;
    const waitsOn = missing !== undefined ? step.tasks[missing]!.id : (ix.prevDeps[t]!.map((d) => step.tasks[d]!.id).find(() => true) ?? '?');
    return new SimulationDeadlockError(
      `deadlock: task ${task.id} (iteration ${it}) on core ${task.unit.core} unit ${task.unit.unit} waits for ${waitsOn}, which never finishes (a dependency cycle, or a task ordered after its dependent on the same unit); hint: the schedule ${step.options.schedule} is infeasible as compiled`,
    );
  }
  return new SimulationDeadlockError('deadlock: no unit can start a task; hint: the compiled step has a dependency cycle');
}

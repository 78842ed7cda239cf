// The engine's index of a CompiledStep: each unit's tasks in list order and the dependencies as flat
// arrays (compressed rows), both ways: what a task waits for in its own and in the previous
// iteration, and which tasks wait for it. Built once per simulation; no strings in the hot loop.
import type { CompiledStep } from '../src/compiler/types.js';
import { SimulationDeadlockError } from '../src/errors.js';
import { taskIndex } from './units/memory.js';

/** Rows of integers: row r is list[start[r] .. start[r + 1]). */
export interface Rows {
  start: Int32Array;
  list: Int32Array;
}

export interface EngineIndex {
  unitOf: Int32Array;
  unitTasks: Int32Array[];
  unitKeys: string[];
  /** Tasks each task waits for in its own iteration, and in the previous one. */
  deps: Rows;
  prevDeps: Rows;
  /** Tasks that wait for each task in its own iteration, and in the next one, on lists of their own. */
  waiters: Rows;
  nextWaiters: Rows;
  /** Shared lists of the same iteration and of the previous one. */
  depGroups: DependencyGroups;
  prevGroups: DependencyGroups;
}

function rowsOf(lists: readonly (readonly number[])[]): Rows {
  const start = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (start[i + 1] = start[i]! + l.length));
  const list = new Int32Array(start[lists.length]!);
  lists.forEach((l, i) => list.set(l, start[i]!));
  return { start, list };
}

/** The transpose of `rows` over n tasks: row d lists every t whose row holds d (t ascending). */
function transposed(rows: Rows, n: number): Rows {
  const start = new Int32Array(n + 1);
  for (let k = 0; k < rows.list.length; k++) start[rows.list[k]! + 1]!++;
  for (let d = 0; d < n; d++) start[d + 1]! += start[d]!;
  const fill = start.slice(0, n);
  const list = new Int32Array(rows.list.length);
  for (let t = 0; t < n; t++)
    for (let k = rows.start[t]!; k < rows.start[t + 1]!; k++) list[fill[rows.list[k]!]!++] = t;
  return { start, list };
}

/** Each task's dependency ids as task indices (the step's id index is built once per step). */
function resolved(step: CompiledStep, pick: (t: CompiledStep['tasks'][number]) => string[]): Rows {
  const ids = taskIndex(step);
  const n = step.tasks.length;
  const start = new Int32Array(n + 1);
  for (let t = 0; t < n; t++) start[t + 1] = start[t]! + pick(step.tasks[t]!).length;
  const list = new Int32Array(start[n]!);
  for (let t = 0; t < n; t++) {
    const task = step.tasks[t]!;
    let k = start[t]!;
    for (const d of pick(task)) {
      const i = ids.get(d);
      if (i === undefined)
        throw new SimulationDeadlockError(
          `task ${task.id} depends on unknown task ${d}; hint: the compiled step is inconsistent`,
        );
      list[k++] = i;
    }
  }
  return { start, list };
}

export function buildEngineIndex(step: CompiledStep): EngineIndex {
  const n = step.tasks.length;
  const deps = resolved(step, (t) => t.deps);
  const prevDeps = resolved(step, (t) => t.prevIterationDeps);
  const unitIds = new Map<string, number>();
  const unitLists: number[][] = [];
  const unitOf = new Int32Array(n);
  step.tasks.forEach((t, i) => {
    const key = `${t.unit.core}/${t.unit.unit}`;
    let u = unitIds.get(key);
    if (u === undefined) {
      u = unitLists.length;
      unitIds.set(key, u);
      unitLists.push([]);
    }
    unitLists[u]!.push(i);
    unitOf[i] = u;
  });
  const own = dependencyGroups(deps, n);
  const prev = dependencyGroups(prevDeps, n);
  return {
    unitOf,
    unitTasks: unitLists.map((l) => Int32Array.from(l)),
    unitKeys: [...unitIds.keys()],
    deps,
    prevDeps,
    waiters: transposed(own.rest, n),
    nextWaiters: transposed(prev.rest, n),
    depGroups: own.groups,
    prevGroups: prev.groups,
  };
}

/**
 * Dependency lists that many tasks share (every shard of a layer waiting for every shard of its
 * update, an all-reduce waiting for every partial) as groups: a group counts its members down once
 * per iteration and then releases its waiters, so a list of m tasks shared by w waiters costs m + w
 * per iteration, not m x w.
 */
export interface DependencyGroups {
  /** Group of each task's list (-1: the task keeps its own list). */
  ofTask: Int32Array;
  members: Rows;
  waiters: Rows;
  /** Per task: the groups it is a member of, and its position in each group's list. */
  memberOf: Rows;
  memberPos: Int32Array;
}

/** Lists at least this long, held by at least two tasks, become groups. */
const groupMinLength = 8;

function listHash(rows: Rows, t: number): number {
  let h = 2166136261;
  for (let k = rows.start[t]!; k < rows.start[t + 1]!; k++) h = Math.imul(h ^ rows.list[k]!, 16777619);
  return (h ^ (rows.start[t + 1]! - rows.start[t]!)) >>> 0;
}

function sameList(rows: Rows, a: number, b: number): boolean {
  const la = rows.start[a + 1]! - rows.start[a]!;
  if (la !== rows.start[b + 1]! - rows.start[b]!) return false;
  for (let k = 0; k < la; k++) if (rows.list[rows.start[a]! + k] !== rows.list[rows.start[b]! + k]) return false;
  return true;
}

/** Tasks whose (long) list equals an earlier task's, by the first task holding each distinct list. */
function sharedLists(rows: Rows, n: number): Int32Array {
  const firstHolder = new Int32Array(n).fill(-1);
  const byHash = new Map<number, number[]>();
  for (let t = 0; t < n; t++) {
    if (rows.start[t + 1]! - rows.start[t]! < groupMinLength) continue;
    const h = listHash(rows, t);
    const holders = byHash.get(h) ?? [];
    const same = holders.find((o) => sameList(rows, o, t));
    firstHolder[t] = same ?? t;
    if (same === undefined) byHash.set(h, [...holders, t]);
  }
  return firstHolder;
}

export function dependencyGroups(rows: Rows, n: number): { groups: DependencyGroups; rest: Rows } {
  const holder = sharedLists(rows, n);
  const holders = new Int32Array(n);
  for (let t = 0; t < n; t++) if (holder[t]! >= 0) holders[holder[t]!]!++;
  const groupOfHolder = new Map<number, number>();
  for (let t = 0; t < n; t++) if (holder[t] === t && holders[t]! >= 2) groupOfHolder.set(t, groupOfHolder.size);
  const ofTask = Int32Array.from({ length: n }, (_, t) =>
    holder[t]! >= 0 ? (groupOfHolder.get(holder[t]!) ?? -1) : -1,
  );
  const heads = [...groupOfHolder.keys()];
  const members = rowsOf(heads.map((h) => Array.from(rows.list.subarray(rows.start[h]!, rows.start[h + 1]!))));
  const waiterLists: number[][] = heads.map(() => []);
  for (let t = 0; t < n; t++) if (ofTask[t]! >= 0) waiterLists[ofTask[t]!]!.push(t);
  const { memberOf, memberPos } = membership(members, n);
  return {
    groups: { ofTask, members, waiters: rowsOf(waiterLists), memberOf, memberPos },
    rest: ownLists(rows, ofTask, n),
  };
}

/** Per task: the groups it is a member of (ascending) and its position in each group's list. */
function membership(members: Rows, n: number): { memberOf: Rows; memberPos: Int32Array } {
  const start = new Int32Array(n + 1);
  for (let k = 0; k < members.list.length; k++) start[members.list[k]! + 1]!++;
  for (let t = 0; t < n; t++) start[t + 1]! += start[t]!;
  const fill = start.slice(0, n);
  const list = new Int32Array(members.list.length);
  const memberPos = new Int32Array(members.list.length);
  for (let g = 0; g + 1 < members.start.length; g++)
    for (let k = members.start[g]!; k < members.start[g + 1]!; k++) {
      const at = fill[members.list[k]!]!++;
      list[at] = g;
      memberPos[at] = k - members.start[g]!;
    }
  return { memberOf: { start, list }, memberPos };
}

/** The lists of the tasks in no group (a grouped task's row is empty). */
function ownLists(rows: Rows, ofTask: Int32Array, n: number): Rows {
  const start = new Int32Array(n + 1);
  for (let t = 0; t < n; t++) start[t + 1] = start[t]! + (ofTask[t]! >= 0 ? 0 : rows.start[t + 1]! - rows.start[t]!);
  const list = new Int32Array(start[n]!);
  for (let t = 0; t < n; t++)
    if (ofTask[t]! < 0) list.set(rows.list.subarray(rows.start[t]!, rows.start[t + 1]!), start[t]!);
  return { start, list };
}

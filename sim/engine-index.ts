// The engine's index of a CompiledStep: each unit's tasks in list order and the dependencies as flat
// arrays (compressed rows), both ways: what a task waits for in its own and in the previous
// iteration, and which tasks wait for it. Built once per simulation; no strings in the hot loop.
import type { CompiledStep } from '../src/compiler/types.js';
import { SimulationDeadlockError } from '../src/errors.js';

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
  /** Tasks that wait for each task in its own iteration, and in the next one. */
  waiters: Rows;
  nextWaiters: Rows;
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

function resolved(step: CompiledStep, pick: (t: CompiledStep['tasks'][number]) => string[]): Rows {
  const ids = new Map(step.tasks.map((t, i) => [t.id, i]));
  return rowsOf(
    step.tasks.map((t) =>
      pick(t).map((d) => {
        const i = ids.get(d);
        if (i === undefined)
          throw new SimulationDeadlockError(
            `task ${t.id} depends on unknown task ${d}; hint: the compiled step is inconsistent`,
          );
        return i;
      }),
    ),
  );
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
  return {
    unitOf,
    unitTasks: unitLists.map((l) => Int32Array.from(l)),
    unitKeys: [...unitIds.keys()],
    deps,
    prevDeps,
    waiters: transposed(deps, n),
    nextWaiters: transposed(prevDeps, n),
  };
}

// Folded simulation: cores whose every unit runs the same stream of tasks (the same compute, the
// same bytes on the same levels of their own core and on the same chip-wide instances, in the same
// order) and whose tasks wait for tasks of the same classes run identically, cycle for cycle, when
// bandwidth is shared equally among requesters: by induction over milestones, mirrored tasks start
// together (their dependencies' classes finish together), ask for the same bytes, get the same
// share (a chip-wide instance's requesters counted with each class's size) and end together. So the
// engine simulates one representative core per class and writes its starts and ends onto the
// others (engine.ts). The classes are the coarsest such partition: cores are grouped by their
// streams, then split until each task's dependencies (own and previous iteration, as sets of task
// classes) agree across a class. A task that asks bytes of another core's own instance (a transfer
// into the next stage's memory) would break the mirror (that instance would see requesters the fold
// does not count): both cores stay alone in classes of their own.
import type { EngineIndex, Rows } from './engine-index.js';
import type { InFlight } from './units/memory-service.js';

/** A memory instance or link as the fold sees it: its level and its core (-1: chip-wide, shared). */
export interface FoldInstance {
  level: string;
  core: number;
}

export interface Fold {
  /** Per unit: the representative unit whose run it mirrors (itself for a representative). */
  repOf: Int32Array;
  /** Per unit: the units mirroring it (empty unless a representative with a class of 2 or more). */
  mirrors: Rows;
  /** Per unit: how many cores run its tasks at once (its class's size; 1 for unfolded units). */
  weight: Int32Array;
  /** Core classes (equal to the cores with tasks when nothing folds). */
  classes: number;
}

export interface FoldInput {
  ix: EngineIndex;
  coreOf: Int32Array;
  templates: readonly InFlight[];
  firstTemplates: ReadonlyMap<number, InFlight>;
  instances: readonly FoldInstance[];
}

class Interner {
  private readonly ids = new Map<string, number>();
  id(key: string): number {
    let v = this.ids.get(key);
    if (v === undefined) this.ids.set(key, (v = this.ids.size));
    return v;
  }
}

/** The cores whose tasks ask bytes of another core's own instance, and those other cores. */
function pinnedCores(input: FoldInput): Set<number> {
  const { templates, firstTemplates, coreOf, instances } = input;
  const pinned = new Set<number>();
  const visit = (f: InFlight, core: number) => {
    for (let d = 0; d < f.instance.length; d++) {
      const other = instances[f.instance[d]!]!.core;
      if (other >= 0 && other !== core) pinned.add(core).add(other);
    }
  };
  templates.forEach((f, t) => visit(f, coreOf[t]!));
  for (const [t, f] of firstTemplates) visit(f, coreOf[t]!);
  return pinned;
}

/** A task's demands (in any order: a task's timing does not depend on it) with its own core's instances named by level only. */
function templateKey(f: InFlight, core: number, instances: readonly FoldInstance[]): string {
  const parts: string[] = [];
  for (let d = 0; d < f.instance.length; d++) {
    const inst = instances[f.instance[d]!]!;
    const where = inst.core === core ? `L${inst.level}` : `S${f.instance[d]}`;
    parts.push(`${where},${f.bytesLeft[d]},${f.overlapped[d]}`);
  }
  return `${f.latencyLeft}:${f.computeLeft};${parts.sort().join(';')}`;
}

/** Per task, an id of what it runs (equal ids: identical work on mirrored instances). */
function localIds(input: FoldInput): Int32Array {
  const { templates, firstTemplates, coreOf, instances } = input;
  const names = new Interner();
  const ids = new Int32Array(templates.length);
  for (let t = 0; t < templates.length; t++) {
    const core = coreOf[t]!;
    const own = templateKey(templates[t]!, core, instances);
    const firstOf = firstTemplates.get(t);
    const first = firstOf ? templateKey(firstOf, core, instances) : '';
    ids[t] = names.id(`${own}|${first}`);
  }
  return ids;
}

interface Layout {
  /** Units of each core, by name; the name of each unit; each task's position on its unit. */
  unitsOfCore: Map<number, Map<string, number>>;
  unitName: string[];
  unitCore: Int32Array;
  posOf: Int32Array;
}

function layoutOf(ix: EngineIndex, coreOf: Int32Array): Layout {
  const unitsOfCore = new Map<number, Map<string, number>>();
  const unitName = ix.unitKeys.map((k) => k.slice(k.indexOf('/') + 1));
  const unitCore = Int32Array.from(ix.unitTasks, (tasks) => coreOf[tasks[0]!]!);
  const posOf = new Int32Array(coreOf.length);
  ix.unitTasks.forEach((tasks, u) => {
    tasks.forEach((t, p) => (posOf[t] = p));
    const core = unitCore[u]!;
    const byName = unitsOfCore.get(core) ?? new Map<string, number>();
    byName.set(unitName[u]!, u);
    unitsOfCore.set(core, byName);
  });
  return { unitsOfCore, unitName, unitCore, posOf };
}

/** Cores grouped by key: class id per core, in order of first appearance. */
function classesBy(cores: number[], keyOf: (core: number) => string): Map<number, number> {
  const ids = new Interner();
  return new Map(cores.map((c) => [c, ids.id(keyOf(c))]));
}

/** Each class's representative core: its lowest. */
function repCores(classOf: Map<number, number>): Map<number, number> {
  const rep = new Map<number, number>();
  for (const [core, cls] of classOf) if (!rep.has(cls) || core < rep.get(cls)!) rep.set(cls, core);
  return rep;
}

/** Per task, the task at its place on its class's representative core (a task class). */
function repTasks(ix: EngineIndex, layout: Layout, classOf: Map<number, number>): Int32Array {
  const rep = repCores(classOf);
  const out = new Int32Array(layout.posOf.length);
  ix.unitTasks.forEach((tasks, u) => {
    const repCore = rep.get(classOf.get(layout.unitCore[u]!)!)!;
    const repUnit = layout.unitsOfCore.get(repCore)!.get(layout.unitName[u]!)!;
    const repList = ix.unitTasks[repUnit]!;
    tasks.forEach((t, p) => (out[t] = repList[p]!));
  });
  return out;
}

/** Per task, an id of the set of task classes its dependency list holds (shared lists computed once). */
function dependencyIds(rows: Rows, groupOf: Int32Array, repTask: Int32Array, names: Interner): Int32Array {
  const n = groupOf.length;
  const byGroup = new Map<number, number>();
  const out = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    const g = groupOf[t]!;
    const cached = g >= 0 ? byGroup.get(g) : undefined;
    if (cached !== undefined) {
      out[t] = cached;
      continue;
    }
    const set = new Set<number>();
    for (let k = rows.start[t]!; k < rows.start[t + 1]!; k++) set.add(repTask[rows.list[k]!]!);
    out[t] = names.id([...set].sort((a, b) => a - b).join(','));
    if (g >= 0) byGroup.set(g, out[t]!);
  }
  return out;
}

function coreKey(ix: EngineIndex, layout: Layout, core: number, ids: Int32Array[]): string {
  const parts: string[] = [];
  for (const [name, u] of [...layout.unitsOfCore.get(core)!].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    parts.push(name);
    for (const t of ix.unitTasks[u]!) parts.push(ids.map((x) => x[t]).join('.'));
  }
  return parts.join(' ');
}

/** The coarsest partition of the cores into mirror classes (see the file's head); an identity fold when a task cannot mirror. */
export function foldCores(input: FoldInput): Fold {
  const { ix, coreOf } = input;
  const layout = layoutOf(ix, coreOf);
  const cores = [...layout.unitsOfCore.keys()];
  const pinned = pinnedCores(input);
  if (cores.every((c) => pinned.has(c))) return foldOf(ix, layout, new Map(cores.map((c, i) => [c, i])));
  const ids = localIds(input);
  let classOf = classesBy(cores, (c) => (pinned.has(c) ? `pinned ${c}` : coreKey(ix, layout, c, [ids])));
  // Every core alone: nothing to refine.
  if (new Set(classOf.values()).size === cores.length) return foldOf(ix, layout, classOf);
  for (;;) {
    const names = new Interner();
    const repTask = repTasks(ix, layout, classOf);
    const own = dependencyIds(ix.deps, ix.depGroups.ofTask, repTask, names);
    const prev = dependencyIds(ix.prevDeps, ix.prevGroups.ofTask, repTask, names);
    const before = classOf;
    const next = classesBy(cores, (c) => `${before.get(c)}#${coreKey(ix, layout, c, [own, prev])}`);
    const count = new Set(next.values()).size;
    classOf = next;
    if (count === new Set(before.values()).size) break;
  }
  return foldOf(ix, layout, classOf);
}

function foldOf(ix: EngineIndex, layout: Layout, classOf: Map<number, number>): Fold {
  const units = ix.unitTasks.length;
  const rep = repCores(classOf);
  const repOf = new Int32Array(units);
  const mirrorLists: number[][] = Array.from({ length: units }, () => []);
  for (let u = 0; u < units; u++) {
    const repCore = rep.get(classOf.get(layout.unitCore[u]!)!)!;
    repOf[u] = layout.unitsOfCore.get(repCore)!.get(layout.unitName[u]!)!;
    if (repOf[u] !== u) mirrorLists[repOf[u]!]!.push(u);
  }
  const start = new Int32Array(units + 1);
  mirrorLists.forEach((l, u) => (start[u + 1] = start[u]! + l.length));
  const mirrors = { start, list: Int32Array.from(mirrorLists.flat()) };
  const weight = Int32Array.from(mirrorLists, (l, u) => (repOf[u] === u ? l.length + 1 : 1));
  return { repOf, mirrors, weight, classes: rep.size };
}

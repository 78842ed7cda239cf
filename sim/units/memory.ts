// Memory levels and what tasks ask of them: one instance per core for 'core' levels, one for 'chip'
// levels. A task's demand is bytes per instance (spill traffic included), whether each is served
// behind compute (a double-buffered level on its path) and the access latency. Bytes that do not fit
// a level (static peak of the placements in task order over capacity) spill to the next level. How
// the bandwidth is shared among tasks in flight is the engine's (sim/units/memory-service.ts), not this file's.
import type { Access, CompiledStep, Task } from '../../src/compiler/types.js';
import type { MemoryLevelSpec } from '../../src/hw/types.js';
import { tensorClasses, type IrNode, type TensorClass } from '../../src/ir/types.js';
import { operandRole, stagedBytes } from '../../src/compiler/stage-traffic.js';
import { isRowTensor } from '../../src/compiler/map-memory.js';
import { producerIndex } from '../../src/ir/graph.js';
import { crossingKey, stagedRoom, type StagedRoom } from './staged-blocks.js';
import { lockstepWeight } from '../lockstep.js';
import { tensorBytes } from '../../src/ir/tensor-bytes.js';

export interface LevelInstance {
  key: string;
  level: string;
  core: number;
  levelIndex: number;
  /** Creation order among the system's instances: the index demands name it by. */
  index: number;
  spec: MemoryLevelSpec;
  /** Fraction of this instance's bytes that spill to the next level (0 when everything fits). */
  spillFraction: number;
}

/** What one task asks of the memory system: bytes per level instance, and the traffic it causes. */
export interface TaskDemand {
  /**
   * One entry per instance the task touches (spill traffic on the next level included); `weight`: the
   * requesters it counts as in the instance's bandwidth share (a lockstep task's cores on a chip-wide one).
   */
  demands: { instance: number; bytes: number; overlapped: boolean; weight: number }[];
  /** Cycles before the first byte arrives: the largest access latency of the levels touched. */
  latencyCycles: number;
  /** The task alone on the machine, full bandwidth: duration without and with spill traffic. */
  aloneCycles: { noSpill: number; withSpill: number };
  /** Bytes per instance key: [read, written] including spill traffic, and by class. */
  traffic: { key: string; read: number; written: number; cls: TensorClass }[];
  /** Bytes staged across each boundary (level indices, outer = inner + 1): reads move outer to inner, writes inner to outer. */
  pairs: { outer: number; inner: number; bytes: number; cls: TensorClass; write: boolean }[];
}

/**
 * The first load of a persistent tensor (weights, optimizer state) that lives on an on-chip level:
 * in iteration 0 it comes from off-chip (or from the chip-wide level a load of the same tensor
 * already filled) into its home level, once, riding on its first reader's demand.
 */
export interface FirstLoad {
  tensor: string;
  cls: TensorClass;
  bytes: number;
  home: LevelInstance;
  /** The level index the load starts from: the off-chip level, or a chip-wide level already holding the tensor. */
  from: number;
}

export function instanceKey(level: string, core: number): string {
  return `${level}@${core}`;
}

export class MemorySystem {
  readonly instances = new Map<string, LevelInstance>();
  /** NoC links (one per core, one shared by all on a bus): shared like memory bandwidth, never hold data. */
  readonly links = new Map<string, LevelInstance>();
  private readonly nodes: Map<string, IrNode>;
  /** Per (node, micro-batch, tensor): the tensor's bytes over the bytes that node's tasks read of it, at most 1 (chipShare); computed on first use. */
  private shares: Map<string, number> | undefined;
  /** Each level's index by name, and its instances by core (-1 for a chip-wide level). */
  private readonly levelIndex: ReadonlyMap<string, number>;
  private readonly byLevel: Map<number, LevelInstance>[];
  /** Per level index: whether a chip-wide level lies inside it (a read homed there crosses a shared level: its share counts). */
  private readonly chipInside: boolean[];
  /** Per level index: whether it or a nearer level is double-buffered (its accesses are served behind compute). */
  private readonly prefetched: boolean[];
  /** Per task index, the first loads it carries in iteration 0 (firstLoadsOf). */
  readonly firstLoads: ReadonlyMap<number, FirstLoad[]>;
  /** Blocks held on chip-wide levels between a read's home and the core, and the reads that stream through for want of room. */
  readonly staged: StagedRoom;

  /**
   * `peakFloor`: bytes per instance key that a previous simulation found live at once (tasks on
   * different units overlap lifetimes that the task order keeps apart); the spill covers the larger.
   */
  constructor(
    private readonly step: CompiledStep,
    private readonly peakFloor: ReadonlyMap<string, number> = new Map(),
  ) {
    this.nodes = new Map(step.graph.nodes.map((n) => [n.id, n]));
    const levels = step.hw.memory;
    this.levelIndex = new Map(levels.map((m, j) => [m.name, j]));
    this.byLevel = levels.map(() => new Map());
    this.chipInside = levels.map((_, i) => levels.slice(0, i).some((m) => m.scope === 'chip'));
    this.prefetched = levels.map((_, i) => levels.slice(0, i + 1).some((m) => m.doubleBuffered));
    const layout = layoutByStep.get(step) ?? this.layOut();
    layoutByStep.set(step, layout);
    for (const { level, core } of layout.instances) this.instance(level, core);
    this.firstLoads = new Map(
      [...layout.firstLoads].map(([i, loads]) => [
        i,
        loads.map((l) => ({ ...l, home: this.instances.get(l.home.key)! })),
      ]),
    );
    this.staged = layout.staged;
    for (const [key, staticPeak] of layout.staticPeaks) {
      const inst = this.instances.get(key)!;
      const peak = Math.max(this.peakFloor.get(key) ?? 0, staticPeak);
      const hasNext = inst.levelIndex < this.step.hw.memory.length - 1;
      inst.spillFraction = hasNext && peak > inst.spec.capacityBytes ? (peak - inst.spec.capacityBytes) / peak : 0;
    }
    for (const inst of [...this.instances.values()]) {
      const next = this.nextInstance(inst);
      if (next && inst.spillFraction > 0) this.instance(next.level, next.core);
    }
    for (const t of step.tasks) if (t.work.kind === 'transfer') this.link(t.unit.core);
  }

  /**
   * What the constructor derives from the step alone (passes differ only in the peak floor): the
   * instances in creation order (every instance any task touches, the levels an access is staged
   * through included, so indices are fixed), the first loads, the staged blocks and the static peaks.
   */
  private layOut(): StepLayout {
    const { step } = this;
    for (const t of step.tasks) {
      for (const a of t.reads) this.stagingInstances(a, t.unit.core);
      for (const a of t.writes) this.stagingInstances(a, t.unit.core);
    }
    const firstLoads = this.firstLoadsOf();
    const staged = stagedRoom(step, {
      nodes: this.nodes,
      homeOf: (level, core) => this.instance(level, core)?.levelIndex ?? -1,
      share: (task, tensor) => this.chipShare(task, tensor),
    });
    const staticPeaks = this.staticPeaks(staged);
    const instances = [...this.instances.values()].map(({ level, core }) => ({ level, core }));
    return { instances, firstLoads, staged, staticPeaks };
  }

  /** An access's home instance and the instances between it and the core's innermost level. */
  private stagingInstances(a: Access, core: number): void {
    const home = this.instance(a.level, a.core);
    for (let j = 1; j < (home?.levelIndex ?? 0); j++) this.instance(this.step.hw.memory[j]!.name, core);
  }

  /** The reader's share of a block fetched into a chip-wide level (chipSharesOf, once per step). */
  private chipShare(task: Task, tensor: string): number {
    if (!this.shares) {
      this.shares = sharesByStep.get(this.step) ?? chipSharesOf(this.step, this.nodes);
      sharesByStep.set(this.step, this.shares);
    }
    return this.shares.get(shareKey(task, tensor)) ?? 1;
  }

  /** The NoC link a core's transfers use (undefined without a NoC: transfers then cost their link formula). */
  link(core: number): LevelInstance | undefined {
    const noc = this.step.hw.noc;
    if (!noc) return undefined;
    const c = noc.topology === 'bus' ? -1 : core;
    const key = instanceKey('noc', c);
    let inst = this.links.get(key);
    if (!inst) {
      const spec: MemoryLevelSpec = {
        name: 'noc',
        scope: c < 0 ? 'chip' : 'core',
        capacityBytes: 0,
        bandwidthBytesPerCycle: noc.linkBandwidthBytesPerCycle,
        latencyCycles: 0,
        banks: 1,
        doubleBuffered: false,
        ...(noc.energyPjPerByte === undefined
          ? {}
          : { readEnergyPjPerByte: 0, writeEnergyPjPerByte: noc.energyPjPerByte }),
      };
      inst = {
        key,
        level: 'noc',
        core: c,
        levelIndex: -1,
        index: this.instances.size + this.links.size,
        spec,
        spillFraction: 0,
      };
      this.links.set(key, inst);
    }
    return inst;
  }

  /** Memory levels of the chip (the last is off-chip and never spills). */
  get levelCount(): number {
    return this.step.hw.memory.length;
  }

  /** A memory instance or a link by key. */
  byKey(key: string): LevelInstance | undefined {
    return this.instances.get(key) ?? this.links.get(key);
  }

  /** The instance an access lands on (chip-scope levels ignore the core). */
  instance(level: string, core: number): LevelInstance | undefined {
    const levelIndex = this.levelIndex.get(level);
    if (levelIndex === undefined) return undefined;
    const spec = this.step.hw.memory[levelIndex]!;
    const c = spec.scope === 'chip' ? -1 : Math.max(0, core);
    const cores = this.byLevel[levelIndex]!;
    let inst = cores.get(c);
    if (!inst) {
      const key = instanceKey(level, c);
      inst = { key, level, core: c, levelIndex, index: this.instances.size, spec, spillFraction: 0 };
      this.instances.set(key, inst);
      cores.set(c, inst);
    }
    return inst;
  }

  /** Peak bytes per instance when tensors live from their first to their last task in list order. */
  private staticPeaks(staged: StagedRoom): Map<string, number> {
    const { first, last } = placementBounds(this.step);
    const n = this.step.tasks.length;
    // Per instance, the changes of its live bytes at task-list positions (placements are whole bytes: sums are exact in any order).
    const changes = new Map<string, { at: number[]; bytes: number[] }>();
    this.step.placements.forEach((p, q) => {
      const inst = this.instance(p.level, p.core);
      if (!inst) return;
      let c = changes.get(inst.key);
      if (!c) changes.set(inst.key, (c = { at: [], bytes: [] }));
      // A first or last task that is absent (or not in the step) counts from the start or to the end.
      const from = p.persistent || first[q]! < 0 ? 0 : first[q]!;
      const to = p.persistent || last[q]! < 0 ? n : last[q]! + 1;
      c.at.push(from, Math.max(from + 1, to));
      c.bytes.push(p.bytes, -p.bytes);
    });
    for (const b of staged.held) {
      const inst = this.instance(this.step.hw.memory[b.level]!.name, -1)!;
      let c = changes.get(inst.key);
      if (!c) changes.set(inst.key, (c = { at: [], bytes: [] }));
      c.at.push(b.task, b.task + 1);
      c.bytes.push(b.bytes, -b.bytes);
    }
    return new Map([...changes].map(([key, c]) => [key, peakOfChanges(c.at, c.bytes)]));
  }

  /** Where an instance's spilled bytes live: the next level's instance (undefined for the last level). */
  spillTarget(inst: LevelInstance): LevelInstance | undefined {
    return inst.spillFraction > 0 ? this.nextInstance(inst) : undefined;
  }

  /**
   * Where a spill goes: the off-chip level. The mapper fills the on-chip levels between with
   * tensors of their own, so a spill into them could overflow them in turn.
   */
  private nextInstance(inst: LevelInstance): LevelInstance | undefined {
    const last = this.step.hw.memory.length - 1;
    if (inst.levelIndex < 0 || inst.levelIndex >= last) return undefined;
    return this.instance(this.step.hw.memory[last]!.name, inst.core);
  }

  /** Instances in a fixed order (the engine's index): memory instances, then links. */
  instanceList(): LevelInstance[] {
    return [...this.instances.values(), ...this.links.values()];
  }

  /**
   * An access is served behind compute (prefetched) when its level or a nearer level on its path is
   * double-buffered: the data streams through the double-buffered buffer while the previous tile
   * computes. Otherwise it is served before the task computes.
   */
  private overlapped(inst: LevelInstance): boolean {
    return inst.levelIndex >= 0 && this.prefetched[inst.levelIndex]!;
  }

  /**
   * One access moved level by level: the home level serves what crosses its inner boundary (its own
   * bytes on the innermost level), each level between what crosses the next boundary in; the home
   * level's spill is written off-chip and read back once.
   */
  private stageAccess(task: Task, a: Access, write: boolean, tally: DemandTally): void {
    const home = this.instance(a.level, a.core);
    if (!home || a.bytes <= 0) return;
    const node = this.nodes.get(task.node);
    const role = write || !node ? 'once' : operandRole(node, a.tensor);
    const share = write || !this.chipInside[home.levelIndex] ? 1 : this.chipShare(task, a.tensor);
    const staged = stagedBytes(this.step.hw, task.work, role, a.bytes, Math.max(0, home.levelIndex), share);
    // A chip-wide level without room for the group's blocks: tiled there, at most the bytes that cross out of it.
    for (let j = 1; !write && j < home.levelIndex; j++) {
      const perByte = this.staged.crossing.get(crossingKey(task, a.tensor, j));
      if (perByte !== undefined) staged[j] = Math.min(staged[j - 1]!, a.bytes * perByte);
    }
    for (let j = Math.max(0, home.levelIndex); j >= Math.min(1, home.levelIndex); j--) {
      const inst = j === home.levelIndex ? home : this.instance(this.step.hw.memory[j]!.name, task.unit.core)!;
      const bytes = j === 0 ? a.bytes : staged[j - 1]!;
      if (j > 0) tally.pair(j, write, a.cls, bytes);
      tally.count(inst, a.cls, write ? 0 : bytes, write ? bytes : 0, bytes);
      const next = inst === home ? this.nextInstance(inst) : undefined;
      const spill = bytes * inst.spillFraction;
      if (next && spill > 0) tally.count(next, a.cls, spill, spill, 0, 2 * spill);
    }
  }

  /**
   * Per task index, the first loads it carries in iteration 0: each persistent placement on an
   * on-chip level is loaded by the first task (in list order) that reads it there. Creates the
   * instances the loads cross (the constructor calls it before any index is handed out).
   */
  private firstLoadsOf(): Map<number, FirstLoad[]> {
    const last = this.levelCount - 1;
    const wanted = new Map<string, { tensor: string; cls: TensorClass; bytes: number; home: LevelInstance }>();
    for (const p of this.step.placements) {
      const home = this.instance(p.level, p.core);
      if (!p.persistent || !home || home.levelIndex >= last) continue;
      const key = `${p.tensor}\u0000${home.key}`;
      const load = wanted.get(key);
      if (load) load.bytes += p.bytes;
      else wanted.set(key, { tensor: p.tensor, cls: p.cls, bytes: p.bytes, home });
    }
    const out = new Map<number, FirstLoad[]>();
    const held = new Set<string>();
    this.step.tasks.forEach((t, i) => {
      for (const a of t.reads) {
        const key = `${a.tensor}\u0000${this.instance(a.level, a.core)?.key}`;
        const load = wanted.get(key);
        if (!load) continue;
        wanted.delete(key);
        const list = out.get(i) ?? [];
        const from = this.loadSource(load.tensor, load.home.levelIndex, held);
        for (let j = from; j > load.home.levelIndex; j--) this.instance(this.step.hw.memory[j]!.name, t.unit.core);
        list.push({ ...load, from });
        out.set(i, list);
      }
    });
    return out;
  }

  /** Where a first load into level `home` starts: the innermost chip-wide level between that holds the tensor already, else off-chip. */
  private loadSource(tensor: string, home: number, held: Set<string>): number {
    const levels = this.step.hw.memory;
    let from = levels.length - 1;
    for (let j = from - 1; j > home; j--) if (held.has(`${tensor}\u0000${j}`)) from = j;
    for (let j = home + 1; j < from; j++) if (levels[j]!.scope === 'chip') held.add(`${tensor}\u0000${j}`);
    return from;
  }

  /** A first load moved level by level from its source into its home: each level on the way serves the bytes crossing its inner boundary. */
  private stageLoad(load: FirstLoad, core: number, tally: DemandTally): void {
    const levels = this.step.hw.memory;
    for (let j = load.from; j > load.home.levelIndex; j--) {
      const outer = this.instance(levels[j]!.name, core)!;
      tally.pair(j, false, load.cls, load.bytes);
      tally.count(outer, load.cls, load.bytes, 0, load.bytes);
    }
    tally.count(load.home, load.cls, 0, load.bytes, load.bytes);
  }

  /** What a task whose compute takes `computeCycles` asks of the memory levels (with `loads`: in iteration 0, carrying those first loads). */
  taskDemand(task: Task, computeCycles: number, loads: readonly FirstLoad[] = []): TaskDemand {
    const tally = new DemandTally();
    // Lockstep: the task's cores move traffic in proportion to their work and share chip-wide instances (DemandTally.times).
    const w = lockstepWeight(task);
    tally.times(w);
    for (const a of task.reads) this.stageAccess(task, a, false, tally);
    for (const a of task.writes) this.stageAccess(task, a, true, tally);
    for (const load of loads) this.stageLoad(load, task.unit.core, tally);
    const link = task.work.kind === 'transfer' ? this.link(task.unit.core) : undefined;
    if (link && task.work.kind === 'transfer' && task.work.bytes > 0)
      tally.count(link, task.reads[0]?.cls ?? 'activation', 0, task.work.bytes, task.work.bytes);
    const { served, plain } = tally;
    const demands = served.inst.map((inst, i) => ({
      instance: inst.index,
      bytes: served.bytes[i]!,
      overlapped: this.overlapped(inst),
      weight: inst.core < 0 ? w : 1,
    }));
    let latencyCycles = 0;
    for (const inst of served.inst) latencyCycles = Math.max(latencyCycles, inst.spec.latencyCycles);
    return {
      demands,
      latencyCycles,
      aloneCycles: { noSpill: this.alone(plain, computeCycles), withSpill: this.alone(served, computeCycles) },
      traffic: tally.traffic,
      pairs: tally.pairs,
    };
  }

  /** Duration of a task alone at full bandwidth: serial transfers, then compute overlapped with prefetched ones. */
  private alone(bytesByInstance: InstanceBytes, computeCycles: number): number {
    let overlap = 0;
    let serial = 0;
    bytesByInstance.inst.forEach((inst, i) => {
      const cycles = bytesByInstance.bytes[i]! / inst.spec.bandwidthBytesPerCycle;
      if (this.overlapped(inst)) overlap = Math.max(overlap, cycles);
      else serial += cycles;
    });
    return serial + Math.max(computeCycles, overlap);
  }
}

/** Bytes per instance in the order the instances were first counted (a task touches a few: a list, no keys). */
class InstanceBytes {
  readonly inst: LevelInstance[] = [];
  readonly bytes: number[] = [];

  add(inst: LevelInstance, bytes: number): void {
    let i = this.inst.indexOf(inst);
    if (i < 0) {
      i = this.inst.push(inst) - 1;
      this.bytes.push(0);
    }
    this.bytes[i]! += bytes;
  }
}

/**
 * One task's bytes, summed per (instance, class) and per (boundary, direction, class), each in the
 * order first counted: a task touches each a few times, so short lists searched in place, no key strings.
 */
class DemandTally {
  readonly traffic: TaskDemand['traffic'] = [];
  /** Per traffic entry: instance index * classCount + class index. */
  private readonly trafficIds: number[] = [];
  readonly pairs: TaskDemand['pairs'] = [];
  /** Bytes per instance without spill traffic, and with it (what the instance serves). */
  readonly plain = new InstanceBytes();
  readonly served = new InstanceBytes();
  /** Lockstep: the cores' work the next counts stand for (Task.lockstep.weight): traffic times it; bytes on chip-wide instances, which they share, too. */
  private weight = 1;

  times(weight: number): this {
    this.weight = weight;
    return this;
  }

  /** `read` and `written` bytes on an instance; `plain` of them without spill, `served` in all (default: plain). */
  count(inst: LevelInstance, cls: TensorClass, read: number, written: number, plain: number, served = plain): void {
    if (this.weight !== 1) {
      const shared = inst.core < 0 ? this.weight : 1;
      [read, written, plain, served] = [read * this.weight, written * this.weight, plain * shared, served * shared];
    }
    const id = inst.index * tensorClasses.length + classIndex.get(cls)!;
    const at = this.trafficIds.indexOf(id);
    if (at >= 0) {
      const e = this.traffic[at]!;
      e.read += read;
      e.written += written;
    } else {
      this.trafficIds.push(id);
      this.traffic.push({ key: inst.key, read, written, cls });
    }
    if (plain > 0) this.plain.add(inst, plain);
    this.served.add(inst, served);
  }

  pair(outer: number, write: boolean, cls: TensorClass, bytes: number): void {
    bytes *= this.weight;
    const e = this.pairs.find((p) => p.outer === outer && p.write === write && p.cls === cls);
    if (e) e.bytes += bytes;
    else this.pairs.push({ outer, inner: outer - 1, bytes, cls, write });
  }
}

const classIndex = new Map<TensorClass, number>(tensorClasses.map((c, i) => [c, i]));

/** Each task's position in the step's list, by id (once per step). */
const indexByStep = new WeakMap<CompiledStep, Map<string, number>>();

export function taskIndex(step: CompiledStep): ReadonlyMap<string, number> {
  let index = indexByStep.get(step);
  if (!index) indexByStep.set(step, (index = new Map(step.tasks.map((t, i) => [t.id, i]))));
  return index;
}

/** Per placement of a step: the task index of its first and last task (-1: none), built once per step. */
const boundsByStep = new WeakMap<CompiledStep, { first: Int32Array; last: Int32Array }>();

export function placementBounds(step: CompiledStep): { first: Int32Array; last: Int32Array } {
  let bounds = boundsByStep.get(step);
  if (bounds) return bounds;
  const ids = taskIndex(step);
  const at = (id: string | undefined) => (id === undefined ? -1 : (ids.get(id) ?? -1));
  bounds = {
    first: Int32Array.from(step.placements, (p) => at(p.firstTask)),
    last: Int32Array.from(step.placements, (p) => at(p.lastTask)),
  };
  boundsByStep.set(step, bounds);
  return bounds;
}

/** A step is simulated several times (core counts, spill passes): its shares are computed once. */
const sharesByStep = new WeakMap<CompiledStep, Map<string, number>>();

/** What a MemorySystem derives from its step alone (layOut), computed once per step. */
interface StepLayout {
  instances: { level: string; core: number }[];
  firstLoads: Map<number, FirstLoad[]>;
  staged: StagedRoom;
  staticPeaks: Map<string, number>;
}
const layoutByStep = new WeakMap<CompiledStep, StepLayout>();

const shareKey = (task: Task, tensor: string): string => `${task.node}\u0000${task.microBatch}\u0000${tensor}`;

/**
 * The tasks of one node and micro-batch that read blocks of one tensor (the cores of a GEMM's
 * output grid) fetch it into a chip-wide level once between them: each reader's crossing into that
 * level is scaled by the tensor's bytes (one micro-batch's share of a row tensor) over their reads.
 */
function chipSharesOf(step: CompiledStep, nodes: ReadonlyMap<string, IrNode>): Map<string, number> {
  const { graph } = step;
  const producer = producerIndex(graph);
  const parts = Math.max(1, graph.meta.microBatches ?? 1);
  const read = new Map<string, number>();
  for (const t of step.tasks)
    for (const a of t.reads) {
      const key = shareKey(t, a.tensor);
      read.set(key, (read.get(key) ?? 0) + a.bytes * lockstepWeight(t));
    }
  const shares = new Map<string, number>();
  for (const t of step.tasks)
    for (const a of t.reads) {
      const key = shareKey(t, a.tensor);
      const info = graph.tensors[a.tensor];
      const node = nodes.get(t.node);
      if (!info || shares.has(key)) continue;
      const split = isRowTensor(info, producer.get(a.tensor)) && node !== undefined && !node.perStep ? parts : 1;
      shares.set(key, Math.min(1, tensorBytes(info, graph.meta.floatBytes) / split / read.get(key)!));
    }
  return shares;
}

/** The highest running sum of `bytes` in order of `at`, the changes at one position taken together. */
function peakOfChanges(at: number[], bytes: number[]): number {
  const order = Uint32Array.from(at.keys()).sort((x, y) => at[x]! - at[y]!);
  let live = 0;
  let peak = 0;
  for (let i = 0; i < order.length; i++) {
    live += bytes[order[i]!]!;
    if (i + 1 === order.length || at[order[i + 1]!] !== at[order[i]!]) peak = Math.max(peak, live);
  }
  return peak;
}

// Memory levels and their traffic: one instance per core for 'core' levels, one for 'chip' levels.
// Bandwidth is shared statically among the units that use an instance, in proportion to the bytes
// each moves there per iteration; double-buffered
// levels overlap their transfers with compute, others add to it. Bytes that do not fit a level
// (static peak of the placements in task order over capacity) spill to the next level.
import type { Access, CompiledStep, Task } from '../../src/compiler/types.js';
import type { MemoryLevelSpec } from '../../src/hw/types.js';
import type { TensorClass } from '../../src/ir/types.js';

export interface LevelInstance {
  key: string;
  level: string;
  core: number;
  levelIndex: number;
  spec: MemoryLevelSpec;
  sharers: number;
  /** Fraction of this instance's bytes that spill to the next level (0 when everything fits). */
  spillFraction: number;
}

/** Static memory cost of one task: cycles and the traffic it causes per instance. */
export interface TaskMemory {
  /** Task duration with memory, for the given compute cycles. */
  durationCycles: number;
  bandwidthStallCycles: number;
  capacityStallCycles: number;
  /** Bytes per instance key: [read, written] including spill traffic, and by class. */
  traffic: { key: string; read: number; written: number; cls: TensorClass }[];
}

export function instanceKey(level: string, core: number): string {
  return `${level}@${core}`;
}

export class MemorySystem {
  readonly instances = new Map<string, LevelInstance>();

  /** Bytes per iteration each unit moves on each instance, and each instance's total. */
  private readonly unitBytes = new Map<string, number>();
  private readonly instanceBytes = new Map<string, number>();

  constructor(private readonly step: CompiledStep) {
    const users = new Map<string, Set<string>>();
    for (const t of step.tasks) {
      const unit = `${t.unit.core}/${t.unit.unit}`;
      for (const a of [...t.reads, ...t.writes]) {
        const inst = this.instance(a.level, a.core);
        if (!inst) continue;
        const set = users.get(inst.key) ?? new Set<string>();
        set.add(unit);
        users.set(inst.key, set);
        const key = `${inst.key}\u0000${unit}`;
        this.unitBytes.set(key, (this.unitBytes.get(key) ?? 0) + a.bytes);
        this.instanceBytes.set(inst.key, (this.instanceBytes.get(inst.key) ?? 0) + a.bytes);
      }
    }
    for (const [key, set] of users) this.instances.get(key)!.sharers = Math.max(1, set.size);
    this.computeSpill();
  }

  /**
   * Fraction of an instance's bandwidth a unit gets: its share of the instance's bytes per
   * iteration (static, so a unit that barely touches a level does not take bandwidth from those
   * that stream through it; the shares sum to 1, so the level never moves more than its bandwidth).
   */
  bandwidthShare(key: string, unit: string): number {
    const total = this.instanceBytes.get(key) ?? 0;
    const own = this.unitBytes.get(`${key}\u0000${unit}`) ?? 0;
    return total > 0 && own > 0 ? own / total : 1;
  }

  /** The instance an access lands on (chip-scope levels ignore the core). */
  instance(level: string, core: number): LevelInstance | undefined {
    const levelIndex = this.step.hw.memory.findIndex((m) => m.name === level);
    const spec = this.step.hw.memory[levelIndex];
    if (!spec) return undefined;
    const c = spec.scope === 'chip' ? -1 : Math.max(0, core);
    const key = instanceKey(level, c);
    let inst = this.instances.get(key);
    if (!inst) {
      inst = { key, level, core: c, levelIndex, spec, sharers: 1, spillFraction: 0 };
      this.instances.set(key, inst);
    }
    return inst;
  }

  /** Peak bytes per instance when tensors live from their first to their last task in list order. */
  private computeSpill(): void {
    const index = new Map(this.step.tasks.map((t, i) => [t.id, i]));
    const n = this.step.tasks.length;
    const delta = new Map<string, Float64Array>();
    for (const p of this.step.placements) {
      const inst = this.instance(p.level, p.core);
      if (!inst) continue;
      const d = delta.get(inst.key) ?? new Float64Array(n + 1);
      const from = p.persistent || p.firstTask === undefined ? 0 : (index.get(p.firstTask) ?? 0);
      const to = p.persistent || p.lastTask === undefined ? n : (index.get(p.lastTask) ?? n - 1) + 1;
      d[from]! += p.bytes;
      d[Math.max(from + 1, to)]! -= p.bytes;
      delta.set(inst.key, d);
    }
    for (const [key, d] of delta) {
      let live = 0;
      let peak = 0;
      for (const x of d) peak = Math.max(peak, (live += x));
      const inst = this.instances.get(key)!;
      const hasNext = inst.levelIndex < this.step.hw.memory.length - 1;
      inst.spillFraction = hasNext && peak > inst.spec.capacityBytes ? (peak - inst.spec.capacityBytes) / peak : 0;
    }
  }

  private nextInstance(inst: LevelInstance): LevelInstance | undefined {
    const next = this.step.hw.memory[inst.levelIndex + 1];
    return next ? this.instance(next.name, inst.core) : undefined;
  }

  /** Duration and traffic of a task whose compute takes `computeCycles`. */
  taskMemory(task: Task, computeCycles: number): TaskMemory {
    const traffic: TaskMemory['traffic'] = [];
    const plain = new Map<string, number>();
    const spilled = new Map<string, number>();
    const add = (m: Map<string, number>, k: string, b: number) => m.set(k, (m.get(k) ?? 0) + b);
    const visit = (a: Access, write: boolean) => {
      const inst = this.instance(a.level, a.core);
      if (!inst || a.bytes <= 0) return;
      traffic.push({ key: inst.key, read: write ? 0 : a.bytes, written: write ? a.bytes : 0, cls: a.cls });
      add(plain, inst.key, a.bytes);
      add(spilled, inst.key, a.bytes);
      const next = this.nextInstance(inst);
      const spill = a.bytes * inst.spillFraction;
      if (next && spill > 0) {
        // A spilled byte is written out to the next level once and read back once.
        traffic.push({ key: next.key, read: spill, written: spill, cls: a.cls });
        add(spilled, next.key, 2 * spill);
      }
    };
    for (const a of task.reads) visit(a, false);
    for (const a of task.writes) visit(a, true);
    const unit = `${task.unit.core}/${task.unit.unit}`;
    const noSpill = this.duration(plain, computeCycles, unit);
    const withSpill = this.duration(spilled, computeCycles, unit);
    return { durationCycles: withSpill, bandwidthStallCycles: noSpill - computeCycles, capacityStallCycles: withSpill - noSpill, traffic };
  }

  private duration(bytesByKey: Map<string, number>, computeCycles: number, unit: string): number {
    let overlap = 0;
    let serial = 0;
    for (const [key, bytes] of bytesByKey) {
      const inst = this.instances.get(key)!;
      const cycles = Math.ceil(bytes / (this.bandwidthShare(key, unit) * inst.spec.bandwidthBytesPerCycle));
      if (inst.spec.doubleBuffered) overlap = Math.max(overlap, cycles);
      else serial += cycles + inst.spec.latencyCycles;
    }
    return Math.max(computeCycles, overlap) + serial;
  }
}

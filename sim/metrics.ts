// The simulator's derived metrics, each with one meaning (defined in sim/README.md): stall unit-cycles
// by cause and their shares of the used units' cycles, utilisation per unit and per unit kind, the
// pipeline bubble ratio over compute units, and the roofline-style bound of one iteration. Reads an
// EngineRun; simulates nothing.
import type { CompiledStep, TensorPlacement } from '../src/compiler/types.js';
import type { SimReport, StallCause, UnitStats } from '../src/report/sim-report.js';
import type { EngineRun } from './engine.js';
import { unitKind, type UnitKind } from '../src/hw/timing/unit-timing.js';
import { isPipelined } from '../src/compiler/schedules/registry.js';
import type { MemorySystem, TaskDemand } from './units/memory.js';
import { copiesOn, lockstepWeight, mirrorsOf } from './lockstep.js';

/** Memory stalls of the given task indices' instances by cause (sharing beyond the task alone at full bandwidth is contention). */
function memoryStalls(
  step: CompiledStep,
  run: EngineRun,
  compute: readonly number[],
  demand: readonly TaskDemand[],
  iterations: number,
  tasks: readonly number[],
): Pick<Record<StallCause, number>, 'latency' | 'bandwidth' | 'capacity' | 'contention'> {
  const n = compute.length;
  // Each task's figures read once, not once per iteration; the sums run in the same order.
  const m = tasks.length;
  // A lockstep task's stalls are those of each of its cores.
  const cores = Float64Array.from(tasks, (t) => step.tasks[t]!.lockstep?.cores ?? 1);
  const c = new Float64Array(m);
  const latency = new Float64Array(m);
  const bandwidth = new Float64Array(m);
  const capacity = new Float64Array(m);
  tasks.forEach((t, k) => {
    const d = demand[t]!;
    c[k] = compute[t]!;
    latency[k] = d.latencyCycles;
    bandwidth[k] = Math.max(0, d.aloneCycles.noSpill - c[k]!);
    capacity[k] = Math.max(0, d.aloneCycles.withSpill - d.aloneCycles.noSpill);
  });
  const at = Int32Array.from(tasks);
  let sLatency = 0;
  let sBandwidth = 0;
  let sCapacity = 0;
  let sContention = 0;
  for (let it = 0; it < iterations; it++) {
    for (let k = 0; k < m; k++) {
      const x = it * n + at[k]!;
      const duration = run.end[x]! - run.start[x]!;
      const bw = bandwidth[k]!;
      const cap = capacity[k]!;
      // Beyond its latency and its full-bandwidth time a task lost cycles to sharing (and to milestones rounded up to whole cycles).
      const rest = duration - c[k]! - latency[k]!;
      const w = cores[k]!;
      sLatency += Math.min(latency[k]!, duration - c[k]!) * w;
      sBandwidth += Math.min(bw, Math.max(0, rest)) * w;
      sCapacity += Math.min(cap, Math.max(0, rest - bw)) * w;
      sContention += Math.max(0, rest - bw - cap) * w;
    }
  }
  return { latency: sLatency, bandwidth: sBandwidth, capacity: sCapacity, contention: sContention };
}

/** Stall unit-cycles by cause over every unit that ran tasks. */
export function stallsOf(
  step: CompiledStep,
  run: EngineRun,
  compute: readonly number[],
  demand: readonly TaskDemand[],
  iterations: number,
): Record<StallCause, number> {
  return {
    ...memoryStalls(
      step,
      run,
      compute,
      demand,
      iterations,
      compute.map((_, t) => t),
    ),
    ...idleOf(step, run, () => true),
  };
}

/** Idle unit-cycles by cause over the units `counted` keeps, each counted once per core it stands for. */
function idleOf(step: CompiledStep, run: EngineRun, counted: (key: string) => boolean): EngineRun['idle'] {
  const mirrors = mirrorsOf(step);
  const idle = { dependency: 0, 'pipeline-bubble': 0 };
  run.unitKeys.forEach((k, u) => {
    if (!counted(k)) return;
    const w = copiesOn(mirrors, coreOf(k));
    idle.dependency += run.idleByUnit.dependency[u]! * w;
    idle['pipeline-bubble'] += run.idleByUnit['pipeline-bubble'][u]! * w;
  });
  return idle;
}

/**
 * Shares of the compute units' cycles (compute units x total cycles): computing, each memory stall
 * and each idle cause. They sum to 1.
 */
export function cycleShares(
  step: CompiledStep,
  run: EngineRun,
  compute: readonly number[],
  demand: readonly TaskDemand[],
  iterations: number,
): SimReport['cycleShares'] {
  const tasks = computeUnitTasks(step);
  const units = new Set(tasks.map((t) => keyOf(step, t)));
  const idle = idleOf(step, run, (k) => units.has(k));
  const stalls: Record<StallCause, number> = {
    ...memoryStalls(step, run, compute, demand, iterations, tasks),
    ...idle,
  };
  const mirrors = mirrorsOf(step);
  let unitCount = 0;
  for (const k of units) unitCount += copiesOn(mirrors, coreOf(k));
  const denom = unitCount * run.totalCycles;
  const share = (x: number) => (denom > 0 ? x / denom : 0);
  const stalled = Object.values(stalls).reduce((a, b) => a + b, 0);
  const out = { compute: share(Math.max(0, denom - stalled)) } as SimReport['cycleShares'];
  for (const [k, v] of Object.entries(stalls) as [StallCause, number][]) out[k] = share(v);
  return out;
}

function keyOf(step: CompiledStep, t: number): string {
  const u = step.tasks[t]!.unit;
  return `${u.core}/${u.unit}`;
}

/** The core of a unit key ("core/unit"). */
const coreOf = (key: string): number => Number(key.slice(0, key.indexOf('/')));

/** Copies each unit's figure onto the same unit of the cores its core stands for in lockstep. */
function ontoMirrors(byKey: Map<string, number>, mirrors: Map<number, number[]>): void {
  for (const [key, value] of [...byKey])
    for (const core of mirrors.get(coreOf(key)) ?? []) byKey.set(`${core}${key.slice(key.indexOf('/'))}`, value);
}

export function unitStats(
  step: CompiledStep,
  run: EngineRun,
  compute: readonly number[],
  iterations: number,
): UnitStats[] {
  const busy = new Map(run.unitKeys.map((k, i) => [k, run.busyByUnit[i]!]));
  const computed = new Map<string, number>();
  // A lockstep task's cores compute its work between them: each the mean share.
  const mean = (t: number) => {
    const l = step.tasks[t]!.lockstep;
    return l ? l.weight / l.cores : 1;
  };
  step.tasks.forEach((_, t) =>
    computed.set(keyOf(step, t), (computed.get(keyOf(step, t)) ?? 0) + compute[t]! * iterations * mean(t)),
  );
  const mirrors = mirrorsOf(step);
  ontoMirrors(busy, mirrors);
  ontoMirrors(computed, mirrors);
  const keys = new Set<string>(busy.keys());
  for (let c = 0; c < step.hw.cores.count; c++)
    for (const u of [...step.hw.cores.systolic, ...step.hw.cores.vector]) keys.add(`${c}/${u.name}`);
  return [...keys]
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((key) => {
      const slash = key.indexOf('/');
      const ref = { core: Number(key.slice(0, slash)), unit: key.slice(slash + 1) };
      const c = computed.get(key) ?? 0;
      return {
        ...ref,
        kind: unitKind(step.hw, ref),
        busyCycles: busy.get(key) ?? 0,
        computeCycles: c,
        utilisation: run.totalCycles > 0 ? c / run.totalCycles : 0,
      };
    });
}

/** Per kind: compute cycles over (that kind's units on the chip, or the links that ran, x total cycles). */
export function utilisationByKind(units: UnitStats[]): SimReport['utilisationByKind'] {
  const out: SimReport['utilisationByKind'] = {};
  for (const kind of ['systolic', 'vector', 'link'] as const) {
    const of = units.filter((u) => u.kind === kind);
    if (of.length > 0) out[kind] = of.reduce((s, u) => s + u.utilisation, 0) / of.length;
  }
  return out;
}

/** Compute units of a step: its systolic arrays, or its vector units when no array ran a task. */
function computeUnitTasks(step: CompiledStep): number[] {
  const kinds = step.tasks.map((t) => unitKind(step.hw, t.unit));
  const want: UnitKind = kinds.includes('systolic') ? 'systolic' : 'vector';
  return kinds.flatMap((k, t) => (k === want ? [t] : []));
}

/**
 * The pipeline bubble: fill and drain. Per iteration, the fraction of the iteration's span (first
 * compute start to last compute end) in which the pipeline's bottleneck (the core busiest in the
 * iteration) had no compute unit busy; mean over iterations. Faster stages' waits on the bottleneck
 * (imbalance, shown by the stages' cycles) and a core's arrays waiting on its own vector unit (see
 * unitWaitRatio) are not in it. Schedules without a pipeline have none: 0.
 */
export function bubbleRatio(step: CompiledStep, run: EngineRun, iterations: number): number {
  if (!isPipelined(step.options.schedule)) return 0;
  const tasks = Int32Array.from(
    step.tasks.flatMap((t, i) => (unitKind(step.hw, t.unit) !== 'link' && t.work.kind !== 'none' ? [i] : [])),
  );
  const cores = Int32Array.from(tasks, (t) => step.tasks[t]!.unit.core);
  let sum = 0;
  let counted = 0;
  let previous: number | null = null;
  for (let it = 0; it < iterations; it++) {
    // An iteration that repeats the previous one shifted (steady state) has its bubble.
    const value: number | null =
      it > 0 && repeatsPrevious(run, tasks, step.tasks.length, it)
        ? previous
        : iterationBubble(run, tasks, cores, step.tasks.length, it);
    previous = value;
    if (value === null) continue;
    sum += value;
    counted++;
  }
  return counted > 0 ? sum / counted : 0;
}

/** Whether every task of iteration `it` starts and ends a fixed number of cycles after its previous-iteration self. */
function repeatsPrevious(run: EngineRun, tasks: Int32Array, n: number, it: number): boolean {
  if (tasks.length === 0) return true;
  const d = run.start[it * n + tasks[0]!]! - run.start[(it - 1) * n + tasks[0]!]!;
  for (const t of tasks) {
    const x = it * n + t;
    if (run.start[x] !== run.start[x - n]! + d || run.end[x] !== run.end[x - n]! + d) return false;
  }
  return true;
}

/** The bottleneck core's idle share of iteration `it`'s span (null: the iteration computes nothing). */
function iterationBubble(run: EngineRun, tasks: Int32Array, cores: Int32Array, n: number, it: number): number | null {
  const byCore = new Map<number, [number, number][]>();
  let lo = Infinity;
  let hi = -Infinity;
  tasks.forEach((t, k) => {
    const a = run.start[it * n + t]!;
    const b = run.end[it * n + t]!;
    if (b <= a) return;
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
    const list = byCore.get(cores[k]!) ?? [];
    list.push([a, b]);
    byCore.set(cores[k]!, list);
  });
  if (hi <= lo) return null;
  const busiest = Math.max(...[...byCore.values()].map(unionLength));
  return Math.max(0, 1 - busiest / (hi - lo));
}

/** Total length of a union of [start, end) intervals. */
function unionLength(list: [number, number][]): number {
  list.sort((x, y) => x[0] - y[0]);
  let total = 0;
  let reached = -Infinity;
  for (const [a, b] of list) {
    if (b <= reached) continue;
    total += b - Math.max(a, reached);
    reached = b;
  }
  return total;
}

/** Waits between units of one core: the compute units' idle cycles spent waiting on a unit of their own core, over compute units x total cycles. */
export function unitWaitRatio(shares: SimReport['cycleShares']): number {
  return shares.dependency;
}

/** Bound of one iteration: the busiest unit's compute, or an instance's bytes (spill included) over its bandwidth. */
export function iterationBound(
  step: CompiledStep,
  mem: MemorySystem,
  compute: readonly number[],
  demand: readonly TaskDemand[],
  steadyCycles: number,
): SimReport['bound'] {
  const byUnit = new Map<string, number>();
  step.tasks.forEach((_, t) => byUnit.set(keyOf(step, t), (byUnit.get(keyOf(step, t)) ?? 0) + compute[t]!));
  const [busiestUnit, busiest] = [...byUnit].reduce((a, b) => (b[1] > a[1] ? b : a), ['-', 0] as [string, number]);
  const list = mem.instanceList();
  const bytes = new Float64Array(list.length);
  for (const d of demand) for (const x of d.demands) bytes[x.instance]! += x.bytes;
  const levelCycles: Record<string, number> = {};
  list.forEach((inst, i) => {
    if (bytes[i]! > 0) levelCycles[inst.key] = bytes[i]! / inst.spec.bandwidthBytesPerCycle;
  });
  const memory = Math.max(0, ...Object.values(levelCycles));
  const cycles = Math.max(busiest, memory);
  return {
    busiestUnitComputeCycles: busiest,
    busiestUnit,
    levelCycles,
    cycles,
    kind: busiest >= memory ? 'compute' : 'bandwidth',
    ratio: cycles > 0 ? steadyCycles / cycles : 0,
  };
}

/** Each stage's estimated and simulated cycles per iteration, both over the stage's cores. */
export function stageStats(step: CompiledStep, run: EngineRun, iterations: number): SimReport['stages'] {
  const busyByCore = new Map<number, number>();
  run.unitKeys.forEach((k, u) => busyByCore.set(coreOf(k), (busyByCore.get(coreOf(k)) ?? 0) + run.busyByUnit[u]!));
  for (const [core, others] of mirrorsOf(step)) for (const c of others) busyByCore.set(c, busyByCore.get(core) ?? 0);
  return step.stages.map((s) => ({
    index: s.index,
    layers: s.layers,
    cores: s.cores,
    estimatedCycles: s.estimatedCycles,
    simulatedCycles:
      s.cores.reduce((sum, c) => sum + (busyByCore.get(c) ?? 0), 0) / Math.max(1, s.cores.length * iterations),
  }));
}

/** Weight bytes kept on chip (any level but the last: fetched once, reused by every micro-batch) and left off-chip (re-read by every task). */
export function weightReuse(step: CompiledStep): SimReport['weights'] {
  const far = step.hw.memory.at(-1)?.name;
  const out = { onChipBytes: 0, offChipBytes: 0, offChipReadBytesPerIteration: 0 };
  // In lockstep a core's copy on its own level stands for the copies of the cores it stands for.
  const mirrors = mirrorsOf(step);
  const copies = (p: TensorPlacement) => copiesOn(mirrors, p.core);
  for (const p of step.placements)
    if (p.cls === 'weight')
      p.level !== far ? (out.onChipBytes += p.bytes * copies(p)) : (out.offChipBytes += p.bytes * copies(p));
  for (const t of step.tasks)
    for (const a of t.reads)
      if (a.cls === 'weight' && a.level === far) out.offChipReadBytesPerIteration += a.bytes * lockstepWeight(t);
  return out;
}

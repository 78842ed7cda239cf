// simulate(): runs a CompiledStep on its hardware model for some iterations and fills a SimReport:
// cycles, throughput, utilisation, bubble ratio, memory per level and class, traffic, stalls by
// cause, energy and the timeline. Refuses an infeasible mapping (InfeasibleMappingError, exit 3).
import type { CompiledStep } from '../src/compiler/types.js';
import { InfeasibleMappingError, InvalidInputError } from '../src/errors.js';

import type { SimEnergy, SimReport, TimelineEntry, TrafficStats } from '../src/report/sim-report.js';
import { energyNotModelled, energyTotalModelled } from '../src/hw/energy-coverage.js';
import { runEngine, type EngineRun } from './engine.js';
import { lockstepWeight } from './lockstep.js';
import {
  bubbleRatio,
  cycleShares,
  iterationBound,
  stageStats,
  stallsOf,
  unitStats,
  unitWaitRatio,
  utilisationByKind,
  weightReuse,
} from './metrics.js';
import { memoryStats, peaksByInstance, placementIntervals, type Intervals } from './occupancy.js';
import { computeCycles, linkLatencyCycles, workMacs } from '../src/hw/timing/unit-timing.js';
import { macsPerIteration, workByLayer } from './layer-work.js';
import { hostTransfers } from '../src/ir/host-transfers.js';
import { firstLoadTraffic, levelPairTraffic, placementRows } from './level-report.js';
import { arrayFoldStats } from './array-folds.js';
import { MemorySystem, type LevelInstance, type TaskDemand } from './units/memory.js';

export interface SimulateOptions {
  iterations: number;
  /** Network name for the report (the graph's meta.network when absent). */
  model?: string;
  /** Timeline entries kept in the report; later iterations are dropped beyond it (the first iterations stay). */
  timelineLimit?: number;
  /**
   * Keep every memory instance's timeline. Default: only on chips of at most 64 cores; bigger ones
   * keep, per level, the instance with the highest peak (their reports stay small).
   */
  fullTimeline?: boolean;
  /** Bound on simulation steps; defaults to (3 + demands) per task instance + 1000. */
  maxEvents?: number;
  /** Progress as a fraction in [0, 1], every few thousand events. */
  onProgress?: (fraction: number) => void;
  /** Jump over iterations that repeat the previous one exactly (the report is the same); default true. */
  extrapolate?: boolean;
  /** Leave out both timelines (the task timeline and the memory samples): callers that read only the figures. */
  noTimelines?: boolean;
}

/** The engine's run behind a report (what the steady-state tests inspect). */
export function simulationRun(step: CompiledStep, options: SimulateOptions): EngineRun {
  return runWithEnoughSpill(step, options).run;
}

/** Cycles of each iteration alone (no report): what a search over candidates compares. */
export function simulatedIterationCycles(step: CompiledStep, iterations: number): number[] {
  const { run } = runWithEnoughSpill(step, { iterations });
  forgetSpillPasses(step);
  return iterationCycles(run, step.tasks.length, iterations);
}

/**
 * After a trial, the step keeps only its unfloored setup (the report's first pass reuses it): the
 * demands of the trial's spill passes are dropped, so they are not held beside it while the other
 * core counts are tried. A later spill pass reuses what the unfloored setup's spills leave unchanged.
 */
function forgetSpillPasses(step: CompiledStep): void {
  const first = unfloored.get(step);
  if (first) demandsByStep.set(step, first);
}

/** The figures of a report that `compare` reads (the rest of the report is not computed for them). */
export type SimFigures = Pick<
  SimReport,
  | 'input'
  | 'cycles'
  | 'throughput'
  | 'units'
  | 'stages'
  | 'bubbleRatio'
  | 'utilisationByKind'
  | 'memory'
  | 'cycleShares'
  | 'bound'
>;

/** The run behind a report, its memory timeline and its figures. */
interface Simulated {
  pass: Pass;
  figures: SimFigures;
  memoryTimeline: SimReport['memoryTimeline'];
}

function simulated(step: CompiledStep, options: SimulateOptions): Simulated {
  if (!Number.isInteger(options.iterations) || options.iterations < 1)
    throw new InvalidInputError(`iterations: found ${options.iterations}, allowed: a positive integer`);
  if (!step.feasibility.ok) {
    throw new InfeasibleMappingError(
      `infeasible mapping on ${step.hw.name} under schedule ${step.options.schedule}:\n  ${step.feasibility.shortfalls.join('\n  ')}\nhint: \`alrflow compile\` with the same options lists option changes checked to fit, or use a hardware model with more memory`,
    );
  }
  const iterations = options.iterations;
  const pass = runWithEnoughSpill(step, options);
  const { mem, compute, demand, run } = pass;
  const intervals = placementIntervals(step, mem, run.start, run.end, iterations, run.totalCycles);
  const full = options.fullTimeline ?? step.hw.cores.count <= 64;
  const samples = options.noTimelines ? 0 : 400;
  const { stats, timeline: memoryTimeline } = memoryStats(mem, intervals, run.totalCycles, samples, full);
  const perIteration = iterationCycles(run, step.tasks.length, iterations);
  const steady = steadyState(perIteration);
  const itPerS = steady > 0 ? step.hw.clockHz / steady : 0;
  // Units' compute and the bound count a transfer's whole link time (its bytes over the link bandwidth and its hops).
  const occupied = step.tasks.map((t, i) =>
    t.work.kind === 'transfer' ? computeCycles(step.hw, t.unit, t.work) : compute[i]!,
  );
  const units = unitStats(step, run, occupied, iterations);
  const figures: SimFigures = {
    input: inputOf(step, options),
    cycles: { total: run.totalCycles, perIteration, steadyStatePerIteration: steady },
    throughput: { iterationsPerSecond: itPerS, samplesPerSecond: itPerS * step.options.batch },
    units,
    stages: stageStats(step, run, iterations),
    bubbleRatio: bubbleRatio(step, run, iterations),
    utilisationByKind: utilisationByKind(units),
    memory: stats,
    cycleShares: cycleShares(step, run, compute, demand, iterations),
    bound: iterationBound(step, mem, occupied, demand, steady),
  };
  return { pass, figures, memoryTimeline };
}

/** A report's figures alone: what `compare` reads of each row (no traffic, placements, stalls, energy or timelines). */
export function simulateFigures(step: CompiledStep, options: SimulateOptions): SimFigures {
  return simulated(step, { ...options, noTimelines: true }).figures;
}

export function simulate(step: CompiledStep, options: SimulateOptions): SimReport {
  const { pass, figures: f, memoryTimeline } = simulated(step, options);
  const { mem, compute, demand, run } = pass;
  const iterations = options.iterations;
  return {
    kind: 'sim-report',
    version: 1,
    input: f.input,
    clockHz: step.hw.clockHz,
    cycles: f.cycles,
    throughput: f.throughput,
    units: f.units,
    stageChoice: step.stageChoice,
    stages: f.stages,
    weights: weightReuse(step),
    bubbleRatio: f.bubbleRatio,
    unitWaitRatio: unitWaitRatio(f.cycleShares),
    arrayFolds: arrayFoldStats(step),
    utilisationByKind: f.utilisationByKind,
    memory: f.memory,
    traffic: traffic(mem, demand, iterations),
    trafficByLevelPair: levelPairTraffic(step, demand),
    firstLoadByLevelPair: firstLoadTraffic(step, mem),
    placements: placementRows(step, mem),
    stalls: stallsOf(step, run, compute, demand, iterations),
    cycleShares: f.cycleShares,
    bound: f.bound,
    energy: energy(step, mem, demand, iterations),
    timeline: options.noTimelines ? [] : timelineOf(step, run, iterations, options.timelineLimit ?? 20_000),
    memoryTimeline,
    events: run.events,
    work: {
      forwardMacsPerSample: step.forwardMacsPerSample,
      macsPerIteration: macsPerIteration(step),
      byLayer: workByLayer(step),
    },
    hostTransfers: { ...hostTransfers(step.graph), hostLink: null },
  };
}

/** The report's record of what was simulated. */
function inputOf(step: CompiledStep, options: SimulateOptions): SimReport['input'] {
  return {
    model: options.model ?? step.graph.meta.network,
    method: step.options.method,
    copies: step.options.copies,
    batch: step.options.batch,
    schedule: step.options.schedule,
    hw: step.hw.name,
    iterations: options.iterations,
    microBatches: step.options.microBatches,
    staleness: step.options.staleness,
    noiseStorage: step.options.noiseStorage,
    ...(step.options.switches?.learnedSigma ? { learnedSigma: true } : {}),
  };
}

interface Pass {
  mem: MemorySystem;
  compute: number[];
  demand: TaskDemand[];
  run: EngineRun;
  /** Lifetimes on the levels that can spill (the last level's, the most, are built by the report alone). */
  onChip: Intervals;
}

/** What a pass builds before the engine runs: the memory system, each task's compute and demand. */
interface PassSetup {
  mem: MemorySystem;
  compute: number[];
  demand: TaskDemand[];
  firstDemand: (readonly [number, TaskDemand])[];
  bandwidth: Float64Array;
}

/**
 * The first pass's setup (no peak floor) of each step: the core-count search's trial and the report's
 * simulation of the chosen step both start with it, so the report reuses the trial's.
 */
const unfloored = new WeakMap<CompiledStep, PassSetup>();

function passSetup(step: CompiledStep, peakFloor: ReadonlyMap<string, number>): PassSetup {
  const cached = peakFloor.size === 0 ? unfloored.get(step) : undefined;
  if (cached) return cached;
  const mem = new MemorySystem(step, peakFloor);
  const { compute, demand, firstDemand } = demandsOf(step, mem);
  const bandwidth = Float64Array.from(mem.instanceList().map((inst) => inst.spec.bandwidthBytesPerCycle));
  const setup = { mem, compute, demand, firstDemand, bandwidth };
  if (peakFloor.size === 0) unfloored.set(step, setup);
  return setup;
}

function runPass(step: CompiledStep, options: SimulateOptions, peakFloor: ReadonlyMap<string, number>): Pass {
  const { mem, compute, demand, firstDemand, bandwidth } = passSetup(step, peakFloor);
  const iterations = options.iterations;
  const maxEvents =
    options.maxEvents ??
    demand.reduce((s, d) => s + 3 + d.demands.length, 0) * iterations +
      firstDemand.reduce((s, [, d]) => s + d.demands.length, 0) +
      1000;
  const onProgress = options.onProgress;
  const progress = onProgress ? { onProgress: (done: number, total: number) => onProgress(done / total) } : {};
  const extrapolate = options.extrapolate ?? true;
  const run = runEngine({
    step,
    iterations,
    compute,
    demand,
    firstDemand: new Map(firstDemand),
    bandwidth,
    maxEvents,
    extrapolate,
    ...progress,
  });
  const spills = (inst: LevelInstance) => inst.levelIndex < mem.levelCount - 1;
  const onChip = placementIntervals(step, mem, run.start, run.end, iterations, run.totalCycles, spills);
  return { mem, compute, demand, run, onChip };
}

interface Demands {
  mem: MemorySystem;
  compute: number[];
  demand: TaskDemand[];
  firstDemand: (readonly [number, TaskDemand])[];
}

/** The last pass's demands per step: a spill pass recomputes only the tasks that touch an instance whose spill changed. */
const demandsByStep = new WeakMap<CompiledStep, Demands>();

/** What each task asks of `mem` (and in iteration 0, with the first loads it carries). */
function demandsOf(step: CompiledStep, mem: MemorySystem): Demands {
  const prev = demandsByStep.get(step);
  // With a NoC, a transfer's bytes are a demand on its core's link (shared with other transfers); its compute is its hop latency.
  const compute =
    prev?.compute ??
    step.tasks.map((t) =>
      t.work.kind === 'transfer' && step.hw.noc
        ? linkLatencyCycles(step.hw, t.work)
        : computeCycles(step.hw, t.unit, t.work),
    );
  const changed = prev ? changedSpills(prev.mem, mem) : null;
  const same = (d: TaskDemand | undefined): d is TaskDemand =>
    d !== undefined && changed !== null && d.traffic.every((x) => !changed.has(x.key));
  const demand = step.tasks.map((t, i) => {
    const d = prev?.demand[i];
    return same(d) ? d : mem.taskDemand(t, compute[i]!);
  });
  // Iteration 0 also loads the persistent tensors that live on chip: each rides on its first reader's demand.
  const before = new Map(prev?.firstDemand);
  const firstDemand = [...mem.firstLoads].map(([i, loads]) => {
    const d = before.get(i);
    return [i, same(d) ? d : mem.taskDemand(step.tasks[i]!, compute[i]!, loads)] as const;
  });
  const out = { mem, compute, demand, firstDemand };
  demandsByStep.set(step, out);
  return out;
}

/**
 * The instance keys whose spill fraction differs between two memory systems of one step, or null
 * when their instances differ (another spill target made the indices move): then nothing is reused.
 */
function changedSpills(a: MemorySystem, b: MemorySystem): Set<string> | null {
  const la = a.instanceList();
  const lb = b.instanceList();
  if (la.length !== lb.length || la.some((x, i) => x.key !== lb[i]!.key)) return null;
  return new Set(la.filter((x, i) => x.spillFraction !== lb[i]!.spillFraction).map((x) => x.key));
}

/** Instances whose simulated peak leaves more resident than their capacity (the spill was sized on the task order's peak). */
function underSpilled(mem: MemorySystem, peaks: ReadonlyMap<string, number>): boolean {
  return [...peaks].some(([key, peak]) => {
    const inst = mem.instances.get(key);
    const last = inst !== undefined && inst.levelIndex === mem.levelCount - 1;
    return inst !== undefined && !last && peak * (1 - inst.spillFraction) > inst.spec.capacityBytes * (1 + 1e-9);
  });
}

/**
 * One truth about capacity: the spill of each instance covers the bytes the simulation found live
 * at once, not only the task order's estimate. Where it did not, the step is simulated again with
 * the simulated peaks as floors (at most 3 more times; the peaks settle in one in practice; where
 * they do not, withSpillRaised).
 */
function runWithEnoughSpill(step: CompiledStep, options: SimulateOptions): Pass {
  let floor = new Map<string, number>();
  let pass: Pass | null = runPass(step, options, floor);
  for (let retry = 0; ; retry++) {
    const { mem, onChip } = pass;
    // The last level never spills, so its peak (the most intervals: every core's off-chip tensors) is not needed.
    const peaks = peaksByInstance(onChip);
    if (!underSpilled(mem, peaks)) return pass;
    floor = new Map([...peaks].map(([k, v]) => [k, Math.max(v, floor.get(k) ?? 0)]));
    if (retry === 3) return withSpillRaised(step, pass, floor);
    // Freed before the next pass allocates its own start and end of every task instance (1024-core mesh: 180 MB).
    pass = null;
    pass = runPass(step, options, floor);
  }
}

/**
 * The peaks did not settle (each spill moved the timing, and the overlaps with it): the last pass's
 * timing stands, and its spill is raised to cover the peaks that pass found, with the traffic of
 * the raised spill counted, so no level holds more than its capacity while feasible.
 */
function withSpillRaised(step: CompiledStep, pass: Pass, floor: ReadonlyMap<string, number>): Pass {
  const mem = new MemorySystem(step, floor);
  const demand = step.tasks.map((t, i) => mem.taskDemand(t, pass.compute[i]!));
  return { ...pass, mem, demand };
}

/** Cycles between the completions of consecutive iterations (the first counts from cycle 0). */
function iterationCycles(run: EngineRun, n: number, iterations: number): number[] {
  const out: number[] = [];
  let prev = 0;
  for (let it = 0; it < iterations; it++) {
    let hi = prev;
    for (let t = 0; t < n; t++) hi = Math.max(hi, run.end[it * n + t]!);
    out.push(hi - prev);
    prev = hi;
  }
  return out;
}

/** Mean of the second half of the iterations (all of them when there are fewer than 3). */
function steadyState(perIteration: number[]): number {
  const tail = perIteration.length < 3 ? perIteration : perIteration.slice(Math.floor(perIteration.length / 2));
  return tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length);
}

function traffic(mem: MemorySystem, memory: readonly TaskDemand[], iterations: number): TrafficStats[] {
  const byLevel = new Map<string, TrafficStats>();
  for (const m of memory) {
    for (const t of m.traffic) {
      const where = mem.byKey(t.key)!.level;
      const s = byLevel.get(where) ?? { where, bytesRead: 0, bytesWritten: 0, bytesByClass: {} };
      s.bytesRead += t.read * iterations;
      s.bytesWritten += t.written * iterations;
      s.bytesByClass[t.cls] = (s.bytesByClass[t.cls] ?? 0) + (t.read + t.written) * iterations;
      byLevel.set(where, s);
    }
  }
  return [...byLevel.values()].sort((a, b) => a.where.localeCompare(b.where));
}

function energy(step: CompiledStep, mem: MemorySystem, memory: readonly TaskDemand[], iterations: number): SimEnergy {
  const pj = 1e-12;
  const notModelled = energyNotModelled(step.hw);
  const byLevelJoules: Record<string, number | null> = {};
  for (const m of memory) {
    for (const t of m.traffic) {
      const spec = mem.byKey(t.key)!.spec;
      const e = notModelled.includes(spec.name)
        ? null
        : (t.read * spec.readEnergyPjPerByte! + t.written * spec.writeEnergyPjPerByte!) * pj * iterations;
      byLevelJoules[spec.name] = e === null ? null : (byLevelJoules[spec.name] ?? 0) + e;
    }
  }
  const macs = step.tasks.reduce((s, t) => s + workMacs(t.work) * lockstepWeight(t), 0) * iterations;
  const computeJoules = step.hw.macEnergyPj === undefined ? null : macs * step.hw.macEnergyPj * pj;
  const parts = [
    computeJoules,
    ...Object.entries(byLevelJoules)
      .filter(([k]) => k !== 'noc' || byLevelJoules.noc !== null)
      .map(([, v]) => v),
  ];
  const totalJoules = energyTotalModelled(step.hw) ? parts.reduce<number>((a, b) => a + (b ?? 0), 0) : null;
  return { totalJoules, byLevelJoules, computeJoules, notModelled };
}

function timelineOf(step: CompiledStep, run: EngineRun, iterations: number, limit: number): TimelineEntry[] {
  const n = step.tasks.length;
  const nodes = new Map(step.graph.nodes.map((node) => [node.id, node]));
  const keep = Math.max(1, Math.min(iterations, Math.floor(limit / Math.max(1, n))));
  const out: TimelineEntry[] = [];
  for (let it = 0; it < keep; it++) {
    step.tasks.forEach((t, i) => {
      const node = nodes.get(t.node);
      const bytes = [...t.reads, ...t.writes].reduce((s, a) => s + a.bytes, 0);
      const entry: TimelineEntry = {
        core: t.unit.core,
        unit: t.unit.unit,
        start: run.start[it * n + i]!,
        end: run.end[it * n + i]!,
        node: t.node,
        op: node?.kind ?? t.work.kind,
        phase: node?.phase ?? 'forward',
        iteration: it,
        microBatch: t.microBatch,
        bytes,
      };
      if (node?.layer !== undefined) entry.layer = node.layer;
      if (t.tile) entry.tile = `${t.tile.index + 1}/${t.tile.count}`;
      out.push(entry);
    });
  }
  return out.sort((a, b) => a.start - b.start || a.core - b.core || a.unit.localeCompare(b.unit));
}

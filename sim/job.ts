// The simulator's front door for the CLI and the bench: network + method + schedule + hardware name
// -> compile -> simulate -> SimReport, and simulate's text table (`compare` lives in compare.ts).
// It parses nothing from the command line and writes no files (src/cli does).
import { levelPairLines, placementLine } from './level-text.js';
import type { CompiledStep, CompileOptions, ScheduleKind } from '../src/compiler/types.js';
import type { Method } from '../src/compiler/methods/names.js';
import type { HwModel } from '../src/hw/types.js';
import type { CompareLevel } from '../src/report/compare-report.js';
import type { CoreChoice, SimEnergy, SimReport } from '../src/report/sim-report.js';
import { simulate, simulateFigures, type SimFigures } from './simulate.js';

export interface SimJob {
  model: string;
  method: Method;
  copies: number;
  batch: number;
  schedule: ScheduleKind;
  hw: string;
  iterations: number;
  /** Left out: the compiler's defaults (4 micro-batches when pipelined, sign bits for ALR/AES). */
  microBatches?: number;
  staleness?: 0 | 1;
  noiseStorage?: CompileOptions['noiseStorage'];
  /** Left out: SGD without momentum (no optimizer state); Adam keeps two moments, SGD with momentum a velocity. */
  optimizer?: CompileOptions['optimizer'];
  momentum?: number;
  layerwise?: boolean;
  /** Pipelined schedules: a stage count, or the layers that begin stages 2, 3, ... */
  stages?: number;
  stageCuts?: string[];
  /** Hybrids: the BP layers, as --bp-layers gives them (absent: the last parametrised layer). */
  bpLayers?: string;
  /** LR/ALR: learn sigma per unit (each layer's sigma gradient and update join the step). */
  learnSigma?: boolean;
  /** Use exactly this many of the chip's cores; absent: the fastest of all, half, a quarter, ... */
  cores?: number;
  /**
   * Keep every core's task timeline and every memory instance's timeline. Default: summarised on
   * chips of more than 64 cores (each stage's first core, its last in lockstep; per level the instance with the highest peak).
   */
  fullTimeline?: boolean;
  /** false: simulate every iteration event by event (no jump over the repeated steady state; same report). */
  extrapolate?: boolean;
  /** Each op's cores in lockstep, one task standing for all (absent: on chips of more than 256 cores). */
  lockstep?: boolean;
}

export async function compileJob(job: SimJob): Promise<CompiledStep> {
  return (await jobCompiler(job)).compileOn((await import('../src/hw/load.js')).loadHwModel(job.hw));
}

/** The job's network and options, compiled onto any variant of its hardware (src/compiler reads the network). */
async function jobCompiler(job: SimJob): Promise<{ compileOn: (hw: HwModel) => CompiledStep }> {
  const { modelCompiler } = await import('../src/compiler/compile-job.js');
  const { learnedSigmaSwitches } = await import('../src/ir/method-rules.js');
  const {
    iterations: _,
    model,
    hw: __,
    learnSigma,
    cores: ___,
    fullTimeline: ____,
    extrapolate: ______,
    ...options
  } = job;
  return modelCompiler(model, { ...options, ...learnedSigmaSwitches(learnSigma ?? false) });
}

/** The step on the fastest of all, half, a quarter, ... of the chip's cores, or on `job.cores` when given. */
export async function compileFastest(job: SimJob): Promise<{ step: CompiledStep; coreChoice?: CoreChoice }> {
  const { loadHwModel } = await import('../src/hw/load.js');
  const { fastestCoreCount, withCores } = await import('./choose-cores.js');
  const hw = loadHwModel(job.hw);
  const { compileOn } = await jobCompiler(job);
  if (job.cores !== undefined) {
    if (!Number.isInteger(job.cores) || job.cores < 1 || job.cores > hw.cores.count) {
      const { ConfigError } = await import('../src/errors.js');
      throw new ConfigError([`--cores: found ${job.cores}, allowed: 1 to ${hw.cores.count} (the cores of ${hw.name})`]);
    }
    return { step: compileOn(withCores(hw, job.cores)) };
  }
  const { step, choice } = fastestCoreCount(hw, compileOn);
  return { step, ...(choice.candidates.length > 0 ? { coreChoice: choice } : {}) };
}

/** An infeasible step: InfeasibleMappingError (exit 3) with the shortfalls and hints checked to fit. */
async function refuseWithHints(job: SimJob, step: CompiledStep): Promise<never> {
  const { infeasibleHintText } = await import('../src/compiler/compile-job.js');
  const { InfeasibleMappingError } = await import('../src/errors.js');
  const hints = await infeasibleHintText(job.model, step.hw, step.options, step.feasibility.overBy ?? 1);
  throw new InfeasibleMappingError(
    `infeasible mapping on ${step.hw.name} under schedule ${step.options.schedule}:\n  ${step.feasibility.shortfalls.join('\n  ')}\n${hints}`,
  );
}

/**
 * The most iterations one simulation runs (README): the steady state is reached within a few
 * iterations, so more only cost time (1e6 iterations of ResNet-9 ran ~40 s) and memory for timelines.
 */
export const maxSimIterations = 100_000;

/** Progress of a job as a fraction in [0, 1]. */
export type JobProgress = (fraction: number) => void;

/** The job's step on its chosen core count, refused (with hints) when infeasible. */
async function feasibleStep(job: SimJob): Promise<{ step: CompiledStep; coreChoice?: CoreChoice }> {
  if (job.iterations > maxSimIterations) {
    const { ConfigError } = await import('../src/errors.js');
    throw new ConfigError([
      `--iterations: found ${job.iterations}, allowed: at most ${maxSimIterations} (the simulator's cap: cycles per iteration settle within a few iterations; see README)`,
    ]);
  }
  const chosen = await compileFastest(job);
  if (!chosen.step.feasibility.ok) await refuseWithHints(job, chosen.step);
  return chosen;
}

export async function runSimJob(job: SimJob, onProgress?: JobProgress): Promise<SimReport> {
  const { simPrediction } = await import('../src/report/sim-prediction.js');
  const { step, coreChoice } = await feasibleStep(job);
  const full = job.fullTimeline === undefined ? {} : { fullTimeline: job.fullTimeline };
  const report = simulate(step, {
    iterations: job.iterations,
    model: job.model,
    ...full,
    ...(job.extrapolate === false ? { extrapolate: false } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  // The prediction reads every task; a big chip's report then keeps a summary of the timeline.
  const prediction = simPrediction(report);
  const timeline = (job.fullTimeline ?? step.hw.cores.count <= 64) ? report.timeline : stageTimeline(step, report);
  return { ...report, timeline, ...(coreChoice ? { coreChoice } : {}), prediction };
}

/** A job's figures alone (compare's rows): the same simulation as runSimJob, without the report's other parts. */
export async function runSimFigures(job: SimJob, onProgress?: JobProgress): Promise<SimFigures> {
  const { step } = await feasibleStep(job);
  return simulateFigures(step, {
    iterations: job.iterations,
    model: job.model,
    ...(job.extrapolate === false ? { extrapolate: false } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
}

/**
 * The timeline summarised: only the tasks of each stage's first core (the stage's other cores run its
 * other shards), or in lockstep of its last core (the one that runs its tasks).
 */
export function stageTimeline(step: CompiledStep, report: SimReport): SimReport['timeline'] {
  const lockstep = step.tasks.some((t) => t.lockstep);
  const cores = new Set(
    step.stages.length > 0 ? step.stages.map((s) => (lockstep ? s.cores.at(-1) : s.cores[0])) : [0],
  );
  return report.timeline.filter((e) => cores.has(e.core));
}

export const fmtBytes = (b: number): string =>
  b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(2)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b.toFixed(0)} B`;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The summary table `simulate` and `start` print. */
export function summaryTable(r: SimReport): string {
  const i = r.input;
  const b = r.bound;
  const lines = [
    `${i.model} ${i.method} K=${i.copies} batch=${i.batch} ${i.schedule} on ${i.hw} (${i.iterations} iterations, ${i.microBatches} micro-batches, staleness ${i.staleness}${i.learnedSigma ? ', learned sigma' : ''})`,
    `  cycles total           ${r.cycles.total}`,
    `  cycles / iteration     ${r.cycles.steadyStatePerIteration.toFixed(0)} (steady state; first ${r.cycles.perIteration[0] ?? 0})`,
    `  bound / iteration      ${b.cycles.toFixed(0)} (${b.kind}: busiest unit ${b.busiestUnit} computes ${b.busiestUnitComputeCycles.toFixed(0)}); simulated / bound ${b.ratio.toFixed(2)}`,
    `  iterations / s         ${r.throughput.iterationsPerSecond.toFixed(2)} at ${(r.clockHz / 1e9).toFixed(2)} GHz`,
    `  samples / s            ${r.throughput.samplesPerSecond.toFixed(1)}`,
    `  utilisation by kind    ${Object.entries(r.utilisationByKind)
      .map(([k, v]) => `${k} ${pct(v)}`)
      .join(', ')}`,
    `  bubble ratio           ${pct(r.bubbleRatio)} (pipeline fill and drain: the bottleneck core idle within the iteration)`,
    `  unit waits             ${pct(r.unitWaitRatio)} (compute units waiting on another unit of their own core)`,
    ...arrayFoldsText(r.arrayFolds),
    `  compute units' cycles  ${Object.entries(r.cycleShares)
      .filter(([, v]) => v > 0.0005)
      .map(([k, v]) => `${k} ${pct(v)}`)
      .join(', ')}`,
    ...(r.coreChoice ? [`  cores                  ${coreChoiceText(r.coreChoice)}`] : []),
    `  stages                 ${r.stageChoice}`,
    ...r.stages.map(
      (s) =>
        `    stage ${s.index} cores ${s.cores[0]}-${s.cores.at(-1)}: estimated ${s.estimatedCycles.toFixed(0)}, simulated ${s.simulatedCycles.toFixed(0)} busy cycles per core per iteration, summed over the core's units with stalls (${s.layers.length} layers)`,
    ),
    `  weights                ${fmtBytes(r.weights.onChipBytes)} held on-chip (reused by every micro-batch); ${fmtBytes(r.weights.offChipBytes)} off-chip, re-read ${fmtBytes(r.weights.offChipReadBytesPerIteration)} per iteration`,
    ...levelsOf(r).map(
      (l) =>
        `  peak ${l.level.padEnd(18)}${fmtBytes(l.peakBytes)} of ${fmtBytes(l.capacityBytes)}: ${verdictText[l.verdict]}`,
    ),
    ...levelPairLines(r),
    ...placementLine(r),
    ...(r.energy ? [`  energy / iteration     ${energyText(r.energy, i.iterations)}`] : []),
    ...(r.work ? [`  work / iteration       ${workText(r.work)}`] : []),
    ...(r.hostTransfers ? [`  host transfers / iter. ${hostTransfersText(r.hostTransfers)}`] : []),
    `  events                 ${r.events}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** "up 2 (100480 bytes: x, labels), down 1 (12 bytes); counted (no host link in the hardware model)". */
function hostTransfersText(t: NonNullable<SimReport['hostTransfers']>): string {
  const up = t.items.filter((i) => i.direction === 'upload').map((i) => i.what);
  const where = up.length > 0 ? `: ${up.join(', ')}` : '';
  const resident = t.fallback
    ? `; a resident step's, but the runtime runs this graph on the host (${t.fallback}) and also moves each kernel call's host arguments and results, not counted here (train --profile measures them)`
    : '';
  return `up ${t.uploads.count} (${t.uploads.bytes} bytes${where}), down ${t.downloads.count} (${t.downloads.bytes} bytes: loss and update status); counted, not timed (the hardware model has no host link)${resident}`;
}

/** "1.40e+13 MACs; most: head 27.8 %, block1.fc1 4.5 %, ... (every layer in --json: work.byLayer)". */
function workText(work: NonNullable<SimReport['work']>): string {
  const total = work.macsPerIteration;
  const top = [...(work.byLayer ?? [])].sort((a, b) => b.macs - a.macs).slice(0, 3);
  const shares = top.map((l) => `${l.layer} ${pct(total > 0 ? l.macs / total : 0)}`).join(', ');
  return `${total.toExponential(3)} MACs; most: ${shares} (every layer in --json: work.byLayer)`;
}

/** "16 of 32 used (fewer cores are faster for this step); tried 32: 7331000, 16: 6450000 cycles per iteration". */
export function coreChoiceText(c: CoreChoice): string {
  const tried = c.candidates
    .map((x) => `${x.cores}: ${x.cyclesPerIteration === null ? 'infeasible' : Math.round(x.cyclesPerIteration)}`)
    .join(', ');
  const why = c.used < c.available ? ' (fewer cores are faster for this step)' : '';
  return `${c.used} of ${c.available} used${why}; tried ${tried} cycles per iteration`;
}

/** Energy per iteration in mJ, or "not modelled" with the parts the hardware model gives no energy for. */
export function energyText(e: SimEnergy, iterations: number): string {
  const missing = e.notModelled.length > 0 ? ` (not modelled: ${e.notModelled.join(', ')})` : '';
  if (e.totalJoules === null) return `not modelled${missing.replace(' (not modelled:', ' (no energy figures for')}`;
  return `${((e.totalJoules / Math.max(1, iterations)) * 1e3).toFixed(3)} mJ${missing}`;
}

const verdictText = {
  fits: 'fits',
  spills: 'full, the rest spills off-chip (traffic counted)',
  'over-capacity': 'over capacity (infeasible)',
} as const;

/** Per level: capacity, the largest instance's peak and the worst instance's verdict. */
export function levelsOf(r: Pick<SimReport, 'memory'>): CompareLevel[] {
  const rank = { fits: 0, spills: 1, 'over-capacity': 2 } as const;
  const out = new Map<string, CompareLevel>();
  for (const m of r.memory) {
    const prev = out.get(m.level);
    const verdict = prev && rank[prev.verdict] > rank[m.verdict] ? prev.verdict : m.verdict;
    out.set(m.level, {
      level: m.level,
      capacityBytes: m.capacityBytes,
      peakBytes: Math.max(prev?.peakBytes ?? 0, m.peakBytes),
      verdict,
    });
  }
  return [...out.values()];
}

export function peakByLevel(r: Pick<SimReport, 'memory'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of r.memory) out[m.level] = Math.max(out[m.level] ?? 0, m.peakBytes);
  return out;
}

/** The busiest array's cycles per iteration: rows streamed against the per-fold load, skew and drain. */
function arrayFoldsText(a: SimReport['arrayFolds']): string[] {
  if (!a) return [];
  const b = a.busiest;
  return [
    `  array folds            busiest ${a.busiestUnit}: ${b.folds} folds, ${b.streamingCycles.toFixed(0)} of ${b.computeCycles.toFixed(0)} cycles stream rows, ${pct(b.foldOverheadShare)} load the stationary operand, skew and drain (paid per fold of every task and micro-batch; all arrays ${pct(a.foldOverheadShare)})`,
  ];
}

// The simulator's front door for the CLI and the bench: network + method + schedule + hardware name
// -> compile -> simulate -> SimReport, plus `compare` (every method and schedule against BP) and the
// text tables. It parses nothing from the command line and writes no files (src/cli does).
import type { CompiledStep, CompileOptions, ScheduleKind } from '../src/compiler/types.js';
import type { HwModel } from '../src/hw/types.js';
import type { Method } from '../src/ir/types.js';
import type { Network } from '../src/models/layers.js';
import type { CompareReport, CompareRow } from '../src/report/compare-report.js';
import type { SimReport } from '../src/report/sim-report.js';
import { simulate } from './simulate.js';

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
}

export async function compileJob(job: SimJob): Promise<CompiledStep> {
  const { loadNetwork } = await import('../src/models/load-network.js');
  const { loadHwModel } = await import('../src/hw/load.js');
  const { compile } = await import('../src/compiler/compile.js');
  const { iterations: _, model, hw, ...options } = job;
  return compile(await loadNetwork(model), loadHwModel(hw), options);
}

/**
 * The most iterations one simulation runs (README): the steady state is reached within a few
 * iterations, so more only cost time (1e6 iterations of ResNet-9 ran ~40 s) and memory for timelines.
 */
export const maxSimIterations = 100_000;

/** Progress of a job as a fraction in [0, 1]. */
export type JobProgress = (fraction: number) => void;

export async function runSimJob(job: SimJob, onProgress?: JobProgress): Promise<SimReport> {
  if (job.iterations > maxSimIterations) {
    const { ConfigError } = await import('../src/errors.js');
    throw new ConfigError([`--iterations: found ${job.iterations}, allowed: at most ${maxSimIterations} (the simulator's cap: cycles per iteration settle within a few iterations; see README)`]);
  }
  const { simPrediction } = await import('../src/report/sim-prediction.js');
  const report = simulate(await compileJob(job), { iterations: job.iterations, model: job.model, ...(onProgress ? { onProgress } : {}) });
  return { ...report, prediction: simPrediction(report) };
}

/**
 * The rows of `alrflow compare`: BP baselines first; the ratio is against bp-sequential. The
 * forward-only pipeline runs both synchronously and with weights one update old (staleness 1).
 */
export const compareRows: { method: Method; schedule: ScheduleKind; staleness?: 1 }[] = [
  { method: 'bp', schedule: 'bp-sequential' },
  { method: 'bp', schedule: 'gpipe' },
  { method: 'bp', schedule: '1f1b' },
  { method: 'lr', schedule: 'sequential' },
  { method: 'alr', schedule: 'sequential' },
  { method: 'lr', schedule: 'layer-pipelined' },
  { method: 'alr', schedule: 'layer-pipelined' },
  { method: 'lr', schedule: 'layer-pipelined', staleness: 1 },
  { method: 'alr', schedule: 'layer-pipelined', staleness: 1 },
  { method: 'es', schedule: 'sequential' },
  { method: 'aes', schedule: 'sequential' },
];

function peakByLevel(r: SimReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of r.memory) out[m.level] = Math.max(out[m.level] ?? 0, m.peakBytes);
  return out;
}

function overflowOf(r: SimReport): { overflowLevels?: string[] } {
  const levels = [...new Set(r.memory.filter((m) => m.overflow).map((m) => m.level))];
  return levels.length > 0 ? { overflowLevels: levels } : {};
}

function computeUtilisation(r: SimReport): number {
  const units = r.units.filter((u) => u.kind !== 'link');
  return units.length === 0 ? 0 : units.reduce((s, u) => s + u.utilisation, 0) / units.length;
}

export async function runCompare(base: Omit<SimJob, 'method' | 'schedule'>, onProgress?: JobProgress): Promise<CompareReport> {
  const rows: CompareRow[] = [];
  let bp = 0;
  const { InfeasibleMappingError } = await import('../src/errors.js');
  for (const [row, { method, schedule: kind, staleness }] of compareRows.entries()) {
    const rowProgress = onProgress ? (f: number) => onProgress((row + f) / compareRows.length) : undefined;
    const schedule = staleness ? `${kind}, staleness ${staleness}` : kind;
    // A row that does not fit is part of the answer, not the end of the comparison.
    const r = await runSimJob({ ...base, method, schedule: kind, ...(staleness ? { staleness } : {}) }, rowProgress).catch((err: unknown) => {
      if (!(err instanceof InfeasibleMappingError)) throw err;
      return err.message.split('\n')[1]?.trim() ?? err.message;
    });
    if (typeof r === 'string') {
      rows.push({ method, schedule, iterationsPerSecond: 0, ratioToBp: 0, peakBytesByLevel: {}, utilisation: 0, infeasible: r });
      continue;
    }
    if (method === 'bp' && kind === 'bp-sequential') bp = r.throughput.iterationsPerSecond;
    rows.push({ method, schedule, iterationsPerSecond: r.throughput.iterationsPerSecond, ratioToBp: bp > 0 ? r.throughput.iterationsPerSecond / bp : 0, peakBytesByLevel: peakByLevel(r), utilisation: Math.min(1, computeUtilisation(r)), ...overflowOf(r) });
  }
  return { kind: 'compare-report', version: 1, model: base.model, hw: base.hw, copies: base.copies, batch: base.batch, rows };
}

const fmtBytes = (b: number) => (b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(2)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b.toFixed(0)} B`);

/** The summary table `simulate` and `start` print. */
export function summaryTable(r: SimReport): string {
  const i = r.input;
  const lines = [
    `${i.model} ${i.method} K=${i.copies} batch=${i.batch} ${i.schedule} on ${i.hw} (${i.iterations} iterations, ${i.microBatches} micro-batches, staleness ${i.staleness})`,
    `  cycles total           ${r.cycles.total}`,
    `  cycles / iteration     ${r.cycles.steadyStatePerIteration.toFixed(0)} (steady state; first ${r.cycles.perIteration[0] ?? 0})`,
    `  iterations / s         ${r.throughput.iterationsPerSecond.toFixed(2)} at ${(r.clockHz / 1e9).toFixed(2)} GHz`,
    `  samples / s            ${r.throughput.samplesPerSecond.toFixed(1)}`,
    `  compute utilisation    ${(computeUtilisation(r) * 100).toFixed(1)} %   bubble ratio ${(r.bubbleRatio * 100).toFixed(1)} %`,
    `  stalls (unit-cycles)   ${Object.entries(r.stalls).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`,
    ...Object.entries(peakByLevel(r)).map(([level, b]) => `  peak ${level.padEnd(18)}${fmtBytes(b)}${r.memory.some((m) => m.level === level && m.overflow) ? '  (over capacity: spills)' : ''}`),
    ...(r.energy ? [`  energy / iteration     ${((r.energy.totalJoules / Math.max(1, i.iterations)) * 1e3).toFixed(3)} mJ`] : []),
    `  events                 ${r.events}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function compareTable(c: CompareReport): string {
  const levels = [...new Set(c.rows.flatMap((r) => Object.keys(r.peakBytesByLevel)))];
  const head = `${'method'.padEnd(7)}${'schedule'.padEnd(30)}${'iter/s'.padStart(12)}${'vs BP'.padStart(8)}${'util'.padStart(7)}${levels.map((l) => `  peak ${l}`.padStart(16)).join('')}`;
  const rows = c.rows.map((r) => r.infeasible ? `${r.method.padEnd(7)}${r.schedule.padEnd(30)}  infeasible: ${r.infeasible}` : `${r.method.padEnd(7)}${r.schedule.padEnd(30)}${r.iterationsPerSecond.toFixed(2).padStart(12)}${r.ratioToBp.toFixed(2).padStart(8)}${`${(r.utilisation * 100).toFixed(0)}%`.padStart(7)}${levels.map((l) => `${fmtBytes(r.peakBytesByLevel[l] ?? 0)}${r.overflowLevels?.includes(l) ? '!' : ' '}`.padStart(16)).join('')}`);
  const note = c.rows.some((r) => r.overflowLevels) ? '! the simulated peak exceeds the level\'s capacity (the static plan fit; overlapping iterations did not)\n' : '';
  return `${c.model} on ${c.hw}, K=${c.copies}, batch ${c.batch}\n${head}\n${rows.join('\n')}\n${note}`;
}

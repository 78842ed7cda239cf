// The simulator's front door for the CLI and the bench: network + method + schedule + hardware name
// -> compile -> simulate -> SimReport, plus `compare` (every method and schedule against BP) and the
// writing of --json / --report / --trace outputs. It parses nothing from the command line.
import type { CompiledStep, CompileOptions, ScheduleKind } from '../src/compiler/types.js';
import type { HwModel } from '../src/hw/types.js';
import type { Method } from '../src/ir/types.js';
import type { Network } from '../src/models/layers.js';
import type { CompareReport, CompareRow } from '../src/report/compare-report.js';
import type { SimReport } from '../src/report/sim-report.js';
import { readFileSync } from 'node:fs';
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
  /** Pipelined schedules: a stage count, or the layers that begin stages 2, 3, ... */
  stages?: number;
  stageCuts?: string[];
}

export async function compileJob(job: SimJob): Promise<CompiledStep> {
  const { buildModel } = await import('../src/models/registry.js');
  const { loadHwModel } = await import('../src/hw/load.js');
  const { compile } = await import('../src/compiler/compile.js');
  const { iterations: _, model, hw, ...options } = job;
  return compile(buildModel(model), loadHwModel(hw), options);
}

export async function runSimJob(job: SimJob): Promise<SimReport> {
  return simulate(await compileJob(job), { iterations: job.iterations, model: job.model });
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

export async function runCompare(base: Omit<SimJob, 'method' | 'schedule'>): Promise<CompareReport> {
  const rows: CompareRow[] = [];
  let bp = 0;
  const { InfeasibleMappingError } = await import('../src/errors.js');
  for (const { method, schedule: kind, staleness } of compareRows) {
    const schedule = staleness ? `${kind}, staleness ${staleness}` : kind;
    // A row that does not fit is part of the answer, not the end of the comparison.
    const r = await runSimJob({ ...base, method, schedule: kind, ...(staleness ? { staleness } : {}) }).catch((err: unknown) => {
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

export interface OutputPaths {
  json?: string;
  report?: string;
  trace?: string;
  force?: boolean;
  /** `alrflow start`: replace files alrflow wrote earlier, refuse anything else. */
  replaceOwn?: boolean;
}

/** An HTML file alrflow wrote names itself in its title; anything else is the user's. */
function htmlByAlrflow(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes('alrflow');
  } catch {
    return true;
  }
}

/** Writes the requested outputs; every path is checked before anything is written. */
export async function writeOutputs(report: SimReport | CompareReport, out: OutputPaths): Promise<string[]> {
  const { assertWritable, writeReportJson } = await import('../src/report/sim-report-io.js');
  const { writeFileSync } = await import('node:fs');
  const opts = { force: out.force ?? false, replaceOwn: out.replaceOwn ?? false };
  if (out.json) assertWritable(out.json, { ...opts, option: '--json' });
  if (out.report) assertWritable(out.report, { force: opts.force || (opts.replaceOwn && htmlByAlrflow(out.report)), option: '--report' });
  if (out.trace) assertWritable(out.trace, { ...opts, option: '--trace' });
  const written: string[] = [];
  if (out.json) {
    writeReportJson(out.json, report, { force: true });
    written.push(out.json);
  }
  if (out.report) {
    const { renderHtmlReport } = await import('../visualizer/html-report.js');
    writeFileSync(out.report, renderHtmlReport(report.kind === 'sim-report' ? { sim: report } : { compare: report }));
    written.push(out.report);
  }
  if (out.trace && report.kind === 'sim-report') {
    const { writeChromeTrace } = await import('../src/report/trace.js');
    writeFileSync(out.trace, JSON.stringify(writeChromeTrace(report)));
    written.push(out.trace);
  }
  return written;
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

// `alrflow compare`: every method and schedule on one network and hardware model, against BP, and
// why each row is as fast as it is: where the compute units' cycles went (computing, stalled on
// memory, idle in bubbles and waits), how far the row is from its bound, and the pipelines with
// more micro-batches. Simulates through job.ts; formats the table here.
import { methodNames, methodOf, type Method } from '../src/compiler/methods/registry.js';
import type { ScheduleKind } from '../src/compiler/types.js';
import { isPipelined } from '../src/compiler/schedules/registry.js';
import type { CompareReport, CompareRow } from '../src/report/compare-report.js';
import { fmtBytes, levelsOf, peakByLevel, runSimFigures, type JobProgress, type SimJob } from './job.js';
import type { SimFigures } from './simulate.js';

export interface CompareRowChoice {
  method: Method;
  schedule: ScheduleKind;
  staleness?: 1;
  microBatches?: number;
  reference?: true;
}

/**
 * The rows of `alrflow compare`, from the method registry: each method declares its rows with a
 * rank (BP baselines first: the ratio is against the reference row, bp-sequential); equal ranks
 * keep the registry's order.
 */
export function compareRows(): CompareRowChoice[] {
  const rows = methodNames.flatMap((method) =>
    methodOf(method).compareRows.map(({ rank, ...row }) => ({ rank, row: { method, ...row } })),
  );
  return rows.sort((a, b) => a.rank - b.rank).map((r) => r.row);
}

function overflowOf(r: SimFigures): { overflowLevels?: string[] } {
  const levels = [...new Set(r.memory.filter((m) => m.overflow).map((m) => m.level))];
  return levels.length > 0 ? { overflowLevels: levels } : {};
}

/** Compute units' cycles: computing, stalled on memory, idle. */
function sharesOf(r: SimFigures): NonNullable<CompareRow['shares']> {
  const s = r.cycleShares;
  return {
    compute: s.compute,
    memory: s.latency + s.bandwidth + s.capacity + s.contention,
    idle: s.dependency + s['pipeline-bubble'],
  };
}

function rowOf(method: Method, schedule: string, r: SimFigures, bp: number): CompareRow {
  const levels = levelsOf(r);
  const over = levels.find((l) => l.verdict === 'over-capacity');
  if (over) {
    const infeasible = `simulated peak of ${over.level} ${fmtBytes(over.peakBytes)} exceeds its capacity ${fmtBytes(over.capacityBytes)} (nothing after it to spill to)`;
    return {
      method,
      schedule,
      iterationsPerSecond: 0,
      ratioToBp: 0,
      peakBytesByLevel: peakByLevel(r),
      utilisation: 0,
      infeasible,
      levels,
    };
  }
  return {
    levels,
    method,
    schedule,
    iterationsPerSecond: r.throughput.iterationsPerSecond,
    ratioToBp: bp > 0 ? r.throughput.iterationsPerSecond / bp : 0,
    peakBytesByLevel: peakByLevel(r),
    utilisation: Math.min(1, r.utilisationByKind.systolic ?? r.utilisationByKind.vector ?? 0),
    ...overflowOf(r),
    microBatches: r.input.microBatches,
    stages: Math.max(1, r.stages.length),
    shares: sharesOf(r),
    boundRatio: r.bound.ratio,
    boundKind: r.bound.kind,
    bubbleRatio: r.bubbleRatio,
  };
}

/** A row's schedule column: the schedule kind with its micro-batches and staleness. */
function scheduleLabel({ schedule, microBatches, staleness }: CompareRowChoice): string {
  return [
    schedule,
    ...(microBatches ? [`M=${microBatches}`] : []),
    ...(staleness ? [`staleness ${staleness}`] : []),
  ].join(', ');
}

/** Simulates one row; a row that does not fit (or a hybrid without layers to split) is its reason, not the end of the comparison. */
async function runRow(
  base: Omit<SimJob, 'method' | 'schedule'>,
  { method, schedule: kind, staleness, microBatches }: CompareRowChoice,
  rowProgress: JobProgress | undefined,
): Promise<SimFigures | string> {
  const { ConfigError, InfeasibleMappingError } = await import('../src/errors.js');
  const { stages, stageCuts, bpLayers, ...common } = base;
  const stageControl = isPipelined(kind) ? { stages, stageCuts } : {};
  const takesLayers = methodOf(method).switches.includes('bpLayers');
  const layers = bpLayers !== undefined && takesLayers ? { bpLayers } : {};
  const hybridDefault = takesLayers && bpLayers === undefined;
  return runSimFigures(
    {
      ...common,
      ...stageControl,
      ...layers,
      method,
      schedule: kind,
      ...(staleness ? { staleness } : {}),
      ...(microBatches ? { microBatches: Math.min(microBatches, base.batch) } : {}),
    },
    rowProgress,
  ).catch((err: unknown) => {
    // A hybrid on a network of one parametrised layer is a row that says why (unless --bp-layers was given).
    if (err instanceof ConfigError && hybridDefault) return `not applicable: ${err.problems.join('; ')}`;
    if (!(err instanceof InfeasibleMappingError)) throw err;
    return err.message.split('\n')[1]?.trim() ?? err.message;
  });
}

/**
 * Whether compare's rows run in lockstep when not asked: yes where every on-chip level is a core's
 * own (there lockstep's figures match a task per core's closely; where the cores share an on-chip
 * level its placement departs from theirs, sim/README.md), else as simulate decides (above 256 cores).
 */
async function rowsInLockstep(hwName: string): Promise<boolean> {
  const { loadHwModel } = await import('../src/hw/load.js');
  const { lockstepOf } = await import('../src/compiler/compile.js');
  const hw = loadHwModel(hwName);
  return hw.memory.slice(0, -1).every((m) => m.scope === 'core') || lockstepOf(hw, {});
}

export async function runCompare(
  job: Omit<SimJob, 'method' | 'schedule'>,
  onProgress?: JobProgress,
): Promise<CompareReport> {
  const base = { ...job, lockstep: job.lockstep ?? (await rowsInLockstep(job.hw)) };
  const rows: CompareRow[] = [];
  let bp = 0;
  const choices = compareRows();
  for (const [row, { method, reference }] of choices.entries()) {
    const rowProgress = onProgress ? (f: number) => onProgress((row + f) / choices.length) : undefined;
    const schedule = scheduleLabel(choices[row]!);
    const r = await runRow(base, choices[row]!, rowProgress);
    if (typeof r === 'string') {
      rows.push({
        method,
        schedule,
        iterationsPerSecond: 0,
        ratioToBp: 0,
        peakBytesByLevel: {},
        utilisation: 0,
        infeasible: r,
      });
      continue;
    }
    if (reference) bp = r.throughput.iterationsPerSecond;
    rows.push(rowOf(method, schedule, r, bp));
  }
  return {
    kind: 'compare-report',
    version: 1,
    model: base.model,
    hw: base.hw,
    copies: base.copies,
    batch: base.batch,
    lockstep: base.lockstep,
    rows,
  };
}

const pct = (x: number | undefined) => `${((x ?? 0) * 100).toFixed(0)}%`;

/** A memory level's peak column: wide enough for its header and two spaces before it. */
const levelWidth = (level: string): number => Math.max(14, `peak ${level}`.length + 2);

function cells(r: CompareRow, levels: string[]): string {
  const s = r.shares;
  return [
    (r.iterationsPerSecond >= 10 ? r.iterationsPerSecond.toFixed(2) : r.iterationsPerSecond.toPrecision(3)).padStart(
      10,
    ),
    r.ratioToBp.toFixed(2).padStart(7),
    String(r.stages ?? 1).padStart(4),
    pct(s?.compute).padStart(6),
    pct(s?.memory).padStart(6),
    pct(s?.idle).padStart(6),
    pct(r.bubbleRatio).padStart(8),
    `${(r.boundRatio ?? 0).toFixed(2)} ${r.boundKind === 'bandwidth' ? 'bw' : 'cmp'}`.padStart(10),
    ...levels.map((l) =>
      `${fmtBytes(r.peakBytesByLevel[l] ?? 0)}${r.overflowLevels?.includes(l) ? '!' : ' '}`.padStart(levelWidth(l)),
    ),
  ].join('');
}

/** A row that did not run: why (a method the network cannot take says so itself). */
const infeasibleText = (why: string): string => (why.startsWith('not applicable') ? why : `infeasible: ${why}`);

export function compareTable(c: CompareReport): string {
  const levels = [...new Set(c.rows.flatMap((r) => Object.keys(r.peakBytesByLevel)))];
  const width = Math.max(7, ...c.rows.map((r) => r.method.length + 1));
  const head = `${'method'.padEnd(width)}${'schedule'.padEnd(34)}${'iter/s'.padStart(10)}${'vs BP'.padStart(7)}${'S'.padStart(4)}${'comp'.padStart(6)}${'mem'.padStart(6)}${'idle'.padStart(6)}${'bubble'.padStart(8)}${'x bound'.padStart(10)}${levels.map((l) => `peak ${l}`.padStart(levelWidth(l))).join('')}`;
  const rows = c.rows.map(
    (r) =>
      `${r.method.padEnd(width)}${r.schedule.padEnd(34)}${r.infeasible ? `  ${infeasibleText(r.infeasible)}` : cells(r, levels)}`,
  );
  const legend =
    "comp / mem / idle: shares of the compute units' cycles spent computing, stalled on memory (latency, bandwidth, capacity, contention), idle (pipeline bubbles, waits on other units); bubble: pipeline fill and drain (the bottleneck core idle within an iteration); x bound: simulated cycles over the bound (cmp: busiest unit's compute, bw: busiest memory level's bytes over its bandwidth)\n";
  const note = c.rows.some((r) => r.overflowLevels)
    ? '! the level is full: what does not fit spills off-chip (its traffic counted)\n'
    : '';
  const lockstep = c.lockstep
    ? 'rows simulated in lockstep: each op one task, the busiest share, standing for its cores (--lockstep off: a task per core)\n'
    : '';
  return `${c.model} on ${c.hw}, K=${c.copies}, batch ${c.batch}\n${head}\n${rows.join('\n')}\n${legend}${note}${lockstep}`;
}

// Reads saved report JSON (a file, or every report in a run directory), detects each file's `kind`
// and validates it with zod. A malformed, truncated or unknown file becomes a ConfigError that names
// the file and the problem, so `alrflow report` never writes an empty page. It does not render.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { tensorClasses } from '../ir/types.js';
import { type CompareReport, compareReportSchema } from './compare-report.js';
import { type ProbeReport, probeReportSchema } from './probe-report.js';
import type { SimReport } from './sim-report.js';
import { type SweepReport, sweepReportSchema } from './sweep-report.js';
import { type TrainReport, trainReportSchema } from './train-report.js';

const tensorClassSchema = z.enum(tensorClasses);
const bytesByClass = z.partialRecord(tensorClassSchema, z.number().nonnegative());
const count = z.number().nonnegative();
const foldCycles = z.object({
  folds: count,
  computeCycles: count,
  streamingCycles: count,
  foldOverheadCycles: count,
  foldOverheadShare: z.number().min(0).max(1),
});

export const simReportSchema = z.object({
  kind: z.literal('sim-report'),
  version: z.literal(1),
  input: z.object({
    model: z.string(),
    method: z.string(),
    copies: z.number().int(),
    batch: z.number().int(),
    schedule: z.string(),
    hw: z.string(),
    iterations: z.number().int(),
    microBatches: z.number().int(),
    staleness: z.number().int(),
    noiseStorage: z.string(),
    learnedSigma: z.boolean().optional(),
  }),
  clockHz: z.number().positive(),
  cycles: z.object({ total: count, perIteration: z.array(count), steadyStatePerIteration: count }),
  throughput: z.object({ iterationsPerSecond: count, samplesPerSecond: count }),
  units: z.array(
    z.object({
      core: z.number().int(),
      unit: z.string(),
      kind: z.enum(['systolic', 'vector', 'link']),
      busyCycles: count,
      computeCycles: count,
      utilisation: z.number().min(0).max(1),
    }),
  ),
  stageChoice: z.string(),
  prediction: z
    .object({
      secondsPerIteration: count,
      nodes: z.array(z.object({ id: z.string(), op: z.string(), seconds: count })),
    })
    .optional(),
  weights: z.object({ onChipBytes: count, offChipBytes: count, offChipReadBytesPerIteration: count }),
  stages: z.array(
    z.object({
      index: z.number().int(),
      layers: z.array(z.string()),
      cores: z.array(z.number().int()),
      estimatedCycles: count,
      simulatedCycles: count,
    }),
  ),
  bubbleRatio: z.number().min(0).max(1),
  unitWaitRatio: z.number().min(0).max(1).default(0),
  arrayFolds: z.object({ ...foldCycles.shape, busiestUnit: z.string(), busiest: foldCycles }).optional(),
  utilisationByKind: z.object({ systolic: count.optional(), vector: count.optional(), link: count.optional() }),
  memory: z.array(
    z.object({
      level: z.string(),
      core: z.number().int(),
      capacityBytes: count,
      peakBytes: count,
      timeWeightedBytes: count,
      peakBytesByClass: bytesByClass,
      timeWeightedBytesByClass: bytesByClass,
      overflow: z.boolean(),
      verdict: z.enum(['fits', 'spills', 'over-capacity']).default('fits'),
      spillFraction: z.number().min(0).max(1).default(0),
    }),
  ),
  traffic: z.array(z.object({ where: z.string(), bytesRead: count, bytesWritten: count, bytesByClass })),
  trafficByLevelPair: z
    .array(z.object({ from: z.string(), to: z.string(), bytesPerIteration: count, bytesByClass }))
    .optional(),
  firstLoadByLevelPair: z.array(z.object({ from: z.string(), to: z.string(), bytes: count, bytesByClass })).optional(),
  placements: z
    .array(
      z.object({
        tensor: z.string(),
        cls: tensorClassSchema,
        level: z.string(),
        bytes: count,
        slots: z.number().int().positive(),
        reason: z.string(),
      }),
    )
    .optional(),
  stalls: z.object({
    latency: count,
    bandwidth: count,
    capacity: count,
    contention: count,
    dependency: count,
    'pipeline-bubble': count,
  }),
  cycleShares: z.object({
    compute: count,
    latency: count,
    bandwidth: count,
    capacity: count,
    contention: count,
    dependency: count,
    'pipeline-bubble': count,
  }),
  bound: z.object({
    busiestUnitComputeCycles: count,
    busiestUnit: z.string(),
    levelCycles: z.record(z.string(), count),
    cycles: count,
    kind: z.enum(['compute', 'bandwidth']),
    ratio: count,
  }),
  energy: z
    .object({
      totalJoules: count.nullable(),
      byLevelJoules: z.record(z.string(), count.nullable()),
      computeJoules: count.nullable(),
      notModelled: z.array(z.string()).default([]),
    })
    .optional(),
  timeline: z.array(
    z.object({
      core: z.number().int(),
      unit: z.string(),
      start: count,
      end: count,
      node: z.string(),
      op: z.string(),
      phase: z.string(),
      layer: z.string().optional(),
      iteration: z.number().int(),
      microBatch: z.number().int(),
      tile: z.string().optional(),
      bytes: count,
    }),
  ),
  memoryTimeline: z.array(
    z.object({
      level: z.string(),
      core: z.number().int(),
      capacityBytes: count,
      samples: z.array(z.object({ cycle: count, bytesByClass })),
    }),
  ),
  events: count,
  work: z
    .object({
      forwardMacsPerSample: count.optional(),
      macsPerIteration: count,
      byLayer: z.array(z.object({ layer: z.string(), macs: count, vectorOps: count })).optional(),
    })
    .optional(),
  hostTransfers: z
    .object({
      uploads: z.object({ count, bytes: count }),
      downloads: z.object({ count, bytes: count }),
      items: z.array(z.object({ direction: z.enum(['upload', 'download']), what: z.string(), bytes: count })),
      fallback: z.string().optional(),
      hostLink: z.null(),
    })
    .optional(),
  coreChoice: z
    .object({
      available: count,
      used: count,
      candidates: z.array(z.object({ cores: count, cyclesPerIteration: count.nullable() })),
    })
    .optional(),
}) satisfies z.ZodType<SimReport>;

/** Every report kind the HTML page can show, by its `kind` field. */
export type AnyReport = SimReport | CompareReport | TrainReport | ProbeReport | SweepReport;
export type ReportKind = AnyReport['kind'];

const schemas: { [K in ReportKind]: z.ZodType<Extract<AnyReport, { kind: K }>> } = {
  'sim-report': simReportSchema,
  'compare-report': compareReportSchema,
  'train-report': trainReportSchema,
  'probe-report': probeReportSchema,
  'sweep-report': sweepReportSchema,
};
export const reportKinds = Object.keys(schemas) as ReportKind[];

/** The reports one HTML page shows, at most one per kind (the shape renderHtmlReport takes). */
export interface ReportSet {
  sim?: SimReport;
  compare?: CompareReport;
  train?: TrainReport;
  probe?: ProbeReport;
  sweep?: SweepReport;
}

const slot = {
  'sim-report': 'sim',
  'compare-report': 'compare',
  'train-report': 'train',
  'probe-report': 'probe',
  'sweep-report': 'sweep',
} as const satisfies Record<ReportKind, keyof ReportSet>;

/** Parses and validates one report's JSON text; `file` only names it in errors. */
export function parseReport(text: string, file: string): AnyReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const hint = text.trim() === '' ? 'the file is empty' : 'the file may be truncated or not JSON';
    throw new ConfigError([`${file}: not valid JSON (${why}); ${hint}. Hint: re-run the command that wrote it.`]);
  }
  const kind =
    typeof data === 'object' && data !== null && 'kind' in data ? (data as { kind: unknown }).kind : undefined;
  if (typeof kind !== 'string' || !(reportKinds as string[]).includes(kind)) {
    throw new ConfigError([
      `${file}: found kind ${JSON.stringify(kind) ?? 'missing'}, allowed: ${reportKinds.join(', ')}. Hint: pass a report written by simulate, compare, train, probe or sweep.`,
    ]);
  }
  const result = schemas[kind as ReportKind].safeParse(data);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 20)
      .map((i) => `${file}: ${kind} at ${i.path.join('.') || '(root)'}: ${i.message}`);
    const more = result.error.issues.length - problems.length;
    throw new ConfigError(more > 0 ? [...problems, `${file}: and ${more} more problems`] : problems);
  }
  return result.data;
}

/** Reads one report file. */
export function readReportFile(file: string): AnyReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError([
      `${file}: cannot read the report (${why}). Hint: pass a report JSON file or a run directory.`,
    ]);
  }
  return parseReport(text, file);
}

function reportFilesIn(dir: string): string[] {
  const jsonFiles = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return jsonFiles.map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

/**
 * Reads a report file or a run directory into a ReportSet. In a directory every `*.json` must parse;
 * JSON files without a report `kind` (configs, sweep specs, checkpoints' metadata) are skipped, and two reports of
 * one kind are an error because the page shows one per kind.
 */
export function readReports(fileOrDir: string): ReportSet {
  const isDir = statSync(fileOrDir, { throwIfNoEntry: false })?.isDirectory() ?? false;
  if (!isDir) return addReport({}, readReportFile(fileOrDir), fileOrDir);
  const set: ReportSet = {};
  const problems: string[] = [];
  for (const file of reportFilesIn(fileOrDir)) {
    const text = readFileSync(file, 'utf8');
    if (!hasReportKind(text)) continue;
    try {
      addReport(set, parseReport(text, file), file);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (Object.keys(set).length === 0) {
    throw new ConfigError([
      `${fileOrDir}: found no report JSON (a *.json with kind ${reportKinds.join(' | ')}). Hint: run simulate/compare/train/probe/sweep with --json or --out first.`,
    ]);
  }
  return set;
}

/** True when the text is not JSON at all (so a truncated report still errors) or carries a report `kind`. */
function hasReportKind(text: string): boolean {
  try {
    const data: unknown = JSON.parse(text);
    const kind = typeof data === 'object' && data !== null && 'kind' in data ? data.kind : undefined;
    return (reportKinds as unknown[]).includes(kind);
  } catch {
    return true;
  }
}

function addReport(set: ReportSet, report: AnyReport, file: string): ReportSet {
  const key = slot[report.kind];
  if (set[key] !== undefined) {
    throw new ConfigError([
      `${file}: a second ${report.kind} in one directory; the page shows one per kind. Hint: pass the file you want directly.`,
    ]);
  }
  (set as Record<string, AnyReport>)[key] = report;
  return set;
}

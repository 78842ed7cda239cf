// The sweep spec file: a zod-strict schema (unknown keys are errors, like hardware files) and a
// parser that reports every problem at once with its JSON path. It does not expand points (see
// expand.ts) nor check that hardware field paths exist in the base model (see hw-overrides.ts).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { methodNames as methods } from '../compiler/methods/names.js';
import { scheduleKinds } from '../compiler/types.js';
import { duplicateKeyProblems, stripBom } from '../json-text.js';
import { quantityIn } from '../hw/units.js';

const positiveInt = z.number().int().positive();
/** The objectives a spec may ask for: max iterations/s, min peak memory, min energy per iteration. */
export const sweepObjectives = ['throughput', 'memory', 'energy'] as const;
export type SweepObjective = (typeof sweepObjectives)[number];
/** A hardware field value: a plain number or a unit string such as "256 KiB" or "1.4 GHz". */
const fieldValue = z.union([
  z.number(),
  z
    .string()
    .regex(/^\s*[-+]?[0-9.]+(?:e[-+]?\d+)?\s*[A-Za-z/]*\s*[A-Za-z/]*$/, 'a number or a unit string such as "256 KiB"'),
]);

/** A range over one hardware field: a list (grid), a stepped or geometric range, or min..max (sample only). */
const rangeSchema = z.union([
  z.array(fieldValue).min(1),
  z.strictObject({
    min: fieldValue,
    max: fieldValue,
    step: z.number().positive().optional(),
    factor: z.number().gt(1).optional(),
  }),
]);

const modelSchema = z.union([
  z.string().min(1),
  z.strictObject({
    name: z.string().min(1),
    hidden: z.array(positiveInt).optional(),
    inputShape: z.array(positiveInt).min(1).optional(),
    classes: positiveInt.optional(),
    batchNorm: z.boolean().optional(),
  }),
]);

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

export const sweepSpecSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  /** Base hardware model: a shipped name or a path (relative to the spec file). */
  hw: z.string().min(1),
  models: z.array(modelSchema).min(1),
  methods: z.array(z.enum(methods)).min(1),
  copies: oneOrMany(positiveInt),
  schedules: z.array(z.enum(scheduleKinds as [string, ...string[]])).min(1),
  batch: oneOrMany(positiveInt),
  microBatches: oneOrMany(positiveInt).optional(),
  staleness: oneOrMany(z.union([z.literal(0), z.literal(1)])).optional(),
  noiseStorage: oneOrMany(z.enum(['float', 'sign-bits', 'regenerate'])).optional(),
  iterations: positiveInt.max(10_000),
  /** Hardware fields by path in the hardware file, e.g. "cores.systolic[0].rows", "memory[0].capacity". */
  hwRanges: z.record(z.string().min(1), rangeSchema).optional(),
  /** Seeded random sample of the space instead of the full grid. */
  sample: z.strictObject({ count: positiveInt, seed: z.number().int().nonnegative() }).optional(),
  /** What the Pareto front minimises or maximises; absent: throughput and memory, plus energy when every point has it. */
  objectives: z.array(z.enum(sweepObjectives)).min(1).optional(),
});

export type RawSweepSpec = z.infer<typeof sweepSpecSchema>;
export type FieldValue = z.infer<typeof fieldValue>;
export type FieldRange = z.infer<typeof rangeSchema>;
export type ModelChoice = z.infer<typeof modelSchema>;

/** The spec with every one-or-many field normalised to a list and the hardware path resolved. */
export interface SweepSpec {
  name: string;
  hw: string;
  models: ModelChoice[];
  methods: string[];
  copies: number[];
  schedules: string[];
  batch: number[];
  /** Absent: the compiler's default for the method and schedule. */
  microBatches?: number[];
  staleness?: (0 | 1)[];
  noiseStorage?: string[];
  iterations: number;
  hwRanges: Record<string, FieldRange>;
  sample?: { count: number; seed: number };
  objectives?: SweepObjective[];
}

/** Formats a zod issue path as a JSON path: `copies[2]`, `hwRanges["memory[0].capacity"].min`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(part))) out += out ? `.${String(part)}` : String(part);
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out || '(root)';
}

/** Splits "256 KiB" into 256 and "KiB"; a plain number has unit "". */
export function splitUnit(v: FieldValue): { n: number; unit: string } {
  if (typeof v === 'number') return { n: v, unit: '' };
  const m = /^\s*([-+]?[0-9.]+(?:e[-+]?\d+)?)\s*(.*?)\s*$/i.exec(v);
  return { n: Number(m?.[1]), unit: m?.[2] ?? '' };
}

const list = <T>(v: T | T[] | undefined, fallback: T[]): T[] =>
  v === undefined ? fallback : Array.isArray(v) ? v : [v];

/**
 * A min..max range whose max is written in another unit of the same kind ("256 KiB".."1 MiB",
 * "100 GB/s".."1 TB/s") gets its max in the min's unit, so the range is stepped and compared in one unit.
 */
function inMinUnit(r: FieldRange): FieldRange {
  if (Array.isArray(r)) return r;
  const [lo, hi] = [splitUnit(r.min), splitUnit(r.max)];
  if (lo.unit === hi.unit || lo.unit === '' || hi.unit === '') return r;
  const max = quantityIn(String(r.max), lo.unit);
  return max === undefined ? r : { ...r, max: `${Number(max.toPrecision(15))} ${lo.unit}` };
}

const inMinUnits = (ranges: Record<string, FieldRange>): Record<string, FieldRange> =>
  Object.fromEntries(Object.entries(ranges).map(([field, r]) => [field, inMinUnit(r)]));

/** A range problem zod cannot see: step and factor together, or min above max. */
function rangeProblems(ranges: Record<string, FieldRange>, sampled: boolean): string[] {
  return Object.entries(ranges).flatMap(([field, r]) => {
    if (Array.isArray(r)) return [];
    const at = `hwRanges${jsonPath([field])}`;
    const problems: string[] = [];
    if (r.step !== undefined && r.factor !== undefined)
      problems.push(`${at}: found both "step" and "factor"; allowed: one of them`);
    const [lo, hi] = [splitUnit(r.min), splitUnit(r.max)];
    if (lo.unit !== hi.unit)
      problems.push(
        `${at}: min and max use units of different kinds ("${lo.unit}" and "${hi.unit}"); allowed: one kind of quantity; hint: e.g. "64 KiB" to "1 MiB"`,
      );
    else if (lo.n > hi.n) problems.push(`${at}: min ${JSON.stringify(r.min)} is above max ${JSON.stringify(r.max)}`);
    if (r.step === undefined && r.factor === undefined && !sampled) {
      problems.push(
        `${at}: a min..max range without "step" or "factor" has no grid; hint: add "step"/"factor", a list, or a top-level "sample"`,
      );
    }
    return problems;
  });
}

/** The base model and the well-formed hardware ranges of a spec, even when other parts are bad, so
 * that their problems can be reported together with the schema's. */
export interface HwPart {
  hw: string;
  hwRanges: Record<string, FieldRange>;
}

function resolveHw(hw: string, baseDir: string): string {
  const looksLikePath = hw.includes('/') || hw.endsWith('.json');
  return looksLikePath && !isAbsolute(hw) ? resolve(baseDir, hw) : hw;
}

function hwPart(json: unknown, baseDir: string): HwPart | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const raw = json as { hw?: unknown; hwRanges?: unknown };
  if (typeof raw.hw !== 'string' || raw.hw === '') return undefined;
  const ranges = raw.hwRanges !== null && typeof raw.hwRanges === 'object' ? Object.entries(raw.hwRanges) : [];
  const hwRanges = Object.fromEntries(ranges.filter(([, r]) => rangeSchema.safeParse(r).success)) as Record<
    string,
    FieldRange
  >;
  return { hw: resolveHw(raw.hw, baseDir), hwRanges: inMinUnits(hwRanges) };
}

export type SpecCheck =
  { ok: true; spec: SweepSpec; problems: [] } | { ok: false; problems: string[]; hwPart?: HwPart };

/** Validates a parsed JSON value as a sweep spec; `where` names the file in messages. */
export function checkSweepSpec(json: unknown, where: string, baseDir = process.cwd()): SpecCheck {
  const parsed = sweepSpecSchema.safeParse(json);
  if (!parsed.success) {
    const part = hwPart(json, baseDir);
    const sampled = json !== null && typeof json === 'object' && 'sample' in json;
    const problems = [
      ...parsed.error.issues.map((i) => `${where}: ${jsonPath(i.path)}: ${issueMessage(i)}`),
      ...rangeProblems(part?.hwRanges ?? {}, sampled).map((p) => `${where}: ${p}`),
    ];
    return { ok: false, problems, ...(part ? { hwPart: part } : {}) };
  }
  const s = parsed.data;
  const hwRanges = inMinUnits(s.hwRanges ?? {});
  const problems = rangeProblems(hwRanges, s.sample !== undefined).map((p) => `${where}: ${p}`);
  const spec: SweepSpec = {
    name: s.name ?? 'sweep',
    hw: resolveHw(s.hw, baseDir),
    models: s.models,
    methods: s.methods,
    copies: list(s.copies, []),
    schedules: s.schedules,
    batch: list(s.batch, []),
    ...(s.microBatches === undefined ? {} : { microBatches: list(s.microBatches, []) }),
    ...(s.staleness === undefined ? {} : { staleness: list(s.staleness, []) }),
    ...(s.noiseStorage === undefined ? {} : { noiseStorage: list(s.noiseStorage, []) }),
    iterations: s.iterations,
    hwRanges,
    ...(s.sample ? { sample: s.sample } : {}),
    ...(s.objectives ? { objectives: s.objectives } : {}),
  };
  return problems.length > 0
    ? { ok: false, problems, hwPart: { hw: spec.hw, hwRanges: spec.hwRanges } }
    : { ok: true, spec, problems: [] };
}

/** Zod's message, with the allowed keys added to an unknown-key problem. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  const allowed = issue.path.length === 0 ? Object.keys(sweepSpecSchema.shape).join(', ') : undefined;
  return `${issue.message}${allowed ? `; allowed keys: ${allowed}` : ''}; hint: check the spelling`;
}

/** Like checkSweepSpec, throwing a ConfigError with every problem. */
export function parseSweepSpec(json: unknown, where: string, baseDir = process.cwd()): SweepSpec {
  const checked = checkSweepSpec(json, where, baseDir);
  if (!checked.ok) throw new ConfigError(checked.problems);
  return checked.spec;
}

/** Reads a spec file; bad JSON is a ConfigError (exit 2), schema problems come back in the check. */
export function readSweepSpec(file: string): SpecCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`--spec ${file}: cannot read the file (${(err as Error).message})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(stripBom(text));
  } catch (err) {
    throw new ConfigError([`${file}: not valid JSON (${(err as Error).message}); hint: check commas and quotes`]);
  }
  const duplicates = duplicateKeyProblems(stripBom(text));
  if (duplicates.length > 0) throw new ConfigError(duplicates.map((p) => `${file}: ${p}`));
  return checkSweepSpec(json, file, dirname(resolve(file)));
}

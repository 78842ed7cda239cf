// Expands a validated sweep spec into points: the full grid (cartesian product, in a fixed order)
// or a seeded random sample of it (pure-rand, so the same seed gives the same points anywhere).
// Points that differ only in choices they do not depend on (BP's copies, a sequential schedule's
// micro-batches) are one point. It does not validate hardware values; the caller checks them.
import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { type ScheduleKind, scheduleOf } from '../compiler/schedules/registry.js';
import { splitUnit, type FieldRange, type FieldValue, type SweepSpec } from './spec.js';
import type { SweepPoint } from './types.js';
import { methodOf, type Method } from '../compiler/methods/registry.js';
import { usesCopies } from '../compiler/methods/rules.js';

const withUnit = (n: number, unit: string): FieldValue =>
  unit ? `${Number(n.toPrecision(12))} ${unit}` : Number(n.toPrecision(12));

/** The i-th value of an enumerable range (a list, or min..max by step or factor), without listing the others. */
export function rangeValueAt(r: FieldRange, i: number): FieldValue {
  if (Array.isArray(r)) return r[i]!;
  const lo = splitUnit(r.min);
  return withUnit(r.step !== undefined ? lo.n + i * r.step : lo.n * (r.factor ?? 1) ** i, lo.unit);
}

/** The enumerable values of a range (a list, or min..max by step or factor). */
export function rangeValues(r: FieldRange): FieldValue[] {
  return Array.from({ length: rangeCount(r) }, (_, i) => rangeValueAt(r, i));
}

/** At most `limit` values of a range, evenly spaced, its first and last among them (checks of a huge range). */
export function representativeValues(r: FieldRange, limit = 64): FieldValue[] {
  const count = rangeCount(r);
  if (count <= limit) return rangeValues(r);
  const indices = new Set(Array.from({ length: limit }, (_, k) => Math.round((k * (count - 1)) / (limit - 1))));
  return [...indices].map((i) => rangeValueAt(r, i));
}

/** How many values rangeValues(r) gives, computed without listing them (a huge range costs nothing). */
export function rangeCount(r: FieldRange): number {
  if (Array.isArray(r)) return r.length;
  const lo = splitUnit(r.min).n;
  const hi = splitUnit(r.max).n;
  const eps = 1e-9 * Math.max(1, Math.abs(hi));
  if (hi + eps < lo) return 0;
  if (r.step !== undefined) return r.step > 0 ? Math.floor((hi + eps - lo) / r.step) + 1 : Number.POSITIVE_INFINITY;
  if (r.factor !== undefined)
    return r.factor > 1 && lo > 0
      ? Math.floor(Math.log((hi + eps) / lo) / Math.log(r.factor)) + 1
      : Number.POSITIVE_INFINITY;
  return 0;
}

/**
 * The spec's point count before points that do not depend on a choice are merged: the sample size,
 * or the grid's product of choice counts. An upper bound on expand(spec).length, known at once.
 */
export function pointCountBound(spec: SweepSpec): number {
  if (spec.sample) return spec.sample.count;
  const lists = [
    spec.models,
    spec.methods,
    spec.copies,
    spec.schedules,
    spec.batch,
    spec.microBatches ?? [0],
    spec.staleness ?? [0],
    spec.noiseStorage ?? [0],
  ];
  return lists.reduce((n, l) => n * l.length, 1) * Object.values(spec.hwRanges).reduce((n, r) => n * rangeCount(r), 1);
}

/** Canonical JSON (sorted keys) so that the key never depends on property order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The stable key of a point: sha256 of its canonical JSON, shortened (collisions at 2^-64 odds). */
export function pointKey(point: Omit<SweepPoint, 'key'>): string {
  return createHash('sha256').update(canonicalJson(point)).digest('hex').slice(0, 16);
}

/** One dimension of the space: a name and its choices, by index (a huge hardware range is never listed whole). */
interface Dimension {
  name: string;
  count: number;
  at: (i: number) => unknown;
}

const listDimension = (name: string, values: readonly unknown[]): Dimension => ({
  name,
  count: values.length,
  at: (i) => values[i],
});

function dimensions(spec: SweepSpec): Dimension[] {
  return [
    listDimension('model', spec.models),
    listDimension('method', spec.methods),
    listDimension('copies', spec.copies),
    listDimension('schedule', spec.schedules),
    listDimension('batch', spec.batch),
    listDimension('microBatches', spec.microBatches ?? [undefined]),
    listDimension('staleness', spec.staleness ?? [undefined]),
    listDimension('noiseStorage', spec.noiseStorage ?? [undefined]),
    ...Object.entries(spec.hwRanges).map(([field, r]) => ({
      name: `hw:${field}`,
      count: rangeCount(r),
      at: (i: number) => rangeValueAt(r, i),
    })),
  ];
}

/**
 * Drops the choices a point does not depend on, so points that differ only there share one key and
 * are evaluated once: BP draws no noise (copies 1, no noise storage), micro-batches apply only to
 * pipelined schedules, staleness only to schedules that allow staleness 1 (the schedule registry says which).
 */
function withoutIrrelevant(choice: Map<string, unknown>): Map<string, unknown> {
  const out = new Map(choice);
  if (!usesCopies(methodOf(out.get('method') as Method))) {
    out.set('copies', 1);
    out.set('noiseStorage', undefined);
  }
  const schedule = scheduleOf(out.get('schedule') as ScheduleKind);
  if (!schedule.pipelined) out.set('microBatches', undefined);
  if (!schedule.staleness.includes(1)) out.set('staleness', undefined);
  return out;
}

function makePoint(spec: SweepSpec, given: Map<string, unknown>): SweepPoint {
  const choice = withoutIrrelevant(given);
  const hwOverrides: Record<string, number | string> = {};
  for (const [name, v] of choice) if (name.startsWith('hw:')) hwOverrides[name.slice(3)] = v as number | string;
  const optional = ['microBatches', 'staleness', 'noiseStorage'].flatMap((n) =>
    choice.get(n) === undefined ? [] : [[n, choice.get(n)]],
  );
  const body: Omit<SweepPoint, 'key'> = {
    hw: spec.hw,
    hwOverrides,
    model: choice.get('model') as SweepPoint['model'],
    method: choice.get('method') as string,
    copies: choice.get('copies') as number,
    schedule: choice.get('schedule') as string,
    batch: choice.get('batch') as number,
    iterations: spec.iterations,
    ...(Object.fromEntries(optional) as Pick<SweepPoint, 'microBatches' | 'staleness' | 'noiseStorage'>),
  };
  return { key: pointKey(body), ...body };
}

/** Draws one value of a continuous min..max range (integers stay integers). */
function drawContinuous(r: Exclude<FieldRange, FieldValue[]>, rng: RandomGenerator): FieldValue {
  const lo = splitUnit(r.min);
  const hi = splitUnit(r.max);
  if (Number.isInteger(lo.n) && Number.isInteger(hi.n)) return withUnit(uniformInt(rng, lo.n, hi.n), lo.unit);
  return withUnit(lo.n + uniformFloat64(rng) * (hi.n - lo.n), lo.unit);
}

function samplePoints(spec: SweepSpec, count: number, seed: number): SweepPoint[] {
  const rng = xoroshiro128plus(seed);
  const dims = dimensions(spec);
  const seen = new Set<string>();
  const out: SweepPoint[] = [];
  // Duplicates are drawn again, but a small space may hold fewer than `count` distinct points.
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const choice = new Map<string, unknown>();
    for (const d of dims) {
      const r = d.name.startsWith('hw:') ? spec.hwRanges[d.name.slice(3)] : undefined;
      const continuous = r !== undefined && !Array.isArray(r) && r.step === undefined && r.factor === undefined;
      choice.set(d.name, continuous ? drawContinuous(r, rng) : d.at(uniformInt(rng, 0, d.count - 1)));
    }
    const p = makePoint(spec, choice);
    if (!seen.has(p.key)) {
      seen.add(p.key);
      out.push(p);
    }
  }
  return out;
}

function gridPoints(spec: SweepSpec): SweepPoint[] {
  const dims = dimensions(spec);
  let partial: Map<string, unknown>[] = [new Map()];
  for (const d of dims) {
    const values = Array.from({ length: d.count }, (_, i) => d.at(i));
    partial = partial.flatMap((m) => values.map((v) => new Map(m).set(d.name, v)));
  }
  return partial.map((choice) => makePoint(spec, choice));
}

/** Every point of the spec, in a deterministic order, without duplicates. */
export function expand(spec: SweepSpec): SweepPoint[] {
  const points = spec.sample ? samplePoints(spec, spec.sample.count, spec.sample.seed) : gridPoints(spec);
  const seen = new Set<string>();
  return points.filter((p) => !seen.has(p.key) && seen.add(p.key));
}

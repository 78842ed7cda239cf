// Hardware variants of a sweep: the base model's JSON file with fields replaced by path
// ("cores.systolic[0].rows", "memory[0].capacity"), validated by the hardware loader exactly like a
// hand-written file. Paths and values are file-level (unit strings allowed), not HwModel-level.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { parseHwData, resolveHwPath } from '../hw/load.js';
import type { HwModel } from '../hw/types.js';
import { representativeValues } from './expand.js';
import { jsonPath, type HwPart } from './spec.js';

const baseCache = new Map<string, unknown>();

/** The parsed JSON of a base model (cached: every point of a sweep starts from it). */
export function readHwJson(nameOrPath: string, option = 'hw'): unknown {
  const path = resolveHwPath(nameOrPath, option);
  let data = baseCache.get(path);
  if (data === undefined) {
    try {
      data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (err) {
      throw new ConfigError([`${option}: ${path}: cannot read it as JSON (${(err as Error).message})`]);
    }
    baseCache.set(path, data);
  }
  return data;
}

/** Splits "cores.systolic[0].rows" into ["cores", "systolic", 0, "rows"]; undefined if malformed. */
export function parseFieldPath(path: string): (string | number)[] | undefined {
  if (!/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*$/.test(path)) return undefined;
  return [...path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** A copy of `data` with each field replaced; returns a problem string per path that does not exist. */
export function applyOverrides(
  data: unknown,
  overrides: Record<string, unknown>,
): { data: unknown; problems: string[] } {
  const copy = structuredClone(data);
  const problems: string[] = [];
  for (const [path, value] of Object.entries(overrides)) {
    const parts = parseFieldPath(path);
    if (!parts) {
      problems.push(
        `"${path}" is not a field path; allowed: names joined by "." with [index] for lists, e.g. "memory[0].capacity"`,
      );
      continue;
    }
    let node: unknown = copy;
    for (const part of parts.slice(0, -1))
      node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[part] : undefined;
    const last = parts[parts.length - 1]!;
    if (node === null || typeof node !== 'object' || !(last in node)) {
      problems.push(
        `"${path}" does not exist in the base hardware model; hint: paths follow the hardware file, e.g. "memory[0].capacity" (see hw-models/NAME.json)`,
      );
      continue;
    }
    (node as Record<string | number, unknown>)[last] = value;
  }
  return { data: copy, problems };
}

/** The HwModel of one point: base file plus overrides, validated; ConfigError with every problem. */
export function hwWithOverrides(nameOrPath: string, overrides: Record<string, unknown>): HwModel {
  const { data, problems } = applyOverrides(readHwJson(nameOrPath), overrides);
  if (problems.length > 0) throw new ConfigError(problems);
  const parsed = parseHwData(data, `${nameOrPath} with ${JSON.stringify(overrides)}`);
  if (!parsed.ok) throw new ConfigError(parsed.problems);
  return parsed.model;
}

/** Every problem of the spec's hardware ranges: each value applied alone must give a valid model. */
export function checkHwRanges(spec: HwPart, where: string): string[] {
  let base: unknown;
  try {
    base = readHwJson(spec.hw, `${where}: hw`);
  } catch (err) {
    return err instanceof ConfigError ? err.problems : [String(err)];
  }
  return Object.entries(spec.hwRanges).flatMap(([field, range]) => {
    const at = `${where}: hwRanges${jsonPath([field])}`;
    // A huge stepped range is checked at 64 evenly spaced values, its ends among them (a model parse per value).
    const values =
      Array.isArray(range) || range.step !== undefined || range.factor !== undefined
        ? representativeValues(range)
        : [range.min, range.max];
    if (values.length === 0) return [`${at}: the range holds no value (min above max?)`];
    return values.flatMap((value, i) => {
      const { data, problems } = applyOverrides(base, { [field]: value });
      if (problems.length > 0) return i === 0 ? problems.map((p) => `${at}: ${p}`) : [];
      const parsed = parseHwData(data, 'value');
      return parsed.ok
        ? []
        : parsed.problems.map(
            (p) =>
              `${at}${Array.isArray(range) ? `[${i}]` : ''}: ${JSON.stringify(value)} gives an invalid model: ${p.replace(/^value: /, '')}`,
          );
    });
  });
}

// Loads hardware models: a shipped name (hw-models/NAME.json) or a JSON file path, validated by the
// strict schema and the cross-field rules, into the unit-free HwModel. Every problem in a file is
// reported at once, one line each: `FILE: JSON.PATH: found ..., allowed: ... (hint)`.
// A `.cfg` path is handed to src/hw/scalesim-cfg (SCALE-Sim's format), so --hw takes those too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { packagePath } from '../package-root.js';
import { formatIssues } from './format-issues.js';
import { hwWarnings } from './hw-warnings.js';
import { loadScaleSimConfig, scaleSimToHwModel } from './scalesim-cfg.js';
import { hwFileSchema } from './schema.js';
import { partialCrossFieldProblems, toHwModel, type HwProblem } from './to-hw-model.js';
import type { HwModel } from './types.js';
import { duplicateKeyProblems, stripBom } from '../json-text.js';

/** The folder of shipped models (also holds schema.json). */
export const hwModelsDir = packagePath('hw-models');

/** The model `npm start` and commands without `--hw` use: built for the forward-only pipeline. */
export const defaultHwModelName = 'multicore-16';

/** Names of the shipped models, sorted. */
export function listHwModels(): string[] {
  return readdirSync(hwModelsDir)
    .filter((f) => f.endsWith('.json') && f !== 'schema.json')
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

type Parsed = { ok: true; model: HwModel } | { ok: false; problems: string[] };

/** "line 3, column 5" for a JSON.parse position, so editors can jump there. */
function jsonSyntaxProblem(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return `malformed JSON: ${message}`;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  const detail = message.replace(/\s*\(line \d+ column \d+\)/, '');
  return `malformed JSON at line ${line}, column ${column}: ${detail}, allowed: JSON (no trailing commas, no comments, keys in double quotes)`;
}

/** Validates already-parsed JSON data; `label` names the file in messages. */
export function parseHwData(data: unknown, label: string): Parsed {
  const where = (p: HwProblem): string => `${label}: ${p.path}: ${p.message}`;
  const result = hwFileSchema.safeParse(data);
  if (!result.success) {
    const problems = [...formatIssues(result.error.issues, data, hwFileSchema), ...partialCrossFieldProblems(data)].map(
      where,
    );
    return { ok: false, problems: [...new Set(problems)] };
  }
  const converted = toHwModel(result.data);
  return converted.ok ? converted : { ok: false, problems: converted.problems.map(where) };
}

/** Validates the text of a hardware file; `label` names the file in messages. */
export function parseHwText(raw: string, label: string): Parsed {
  const text = stripBom(raw);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`${label}: ${jsonSyntaxProblem(text, err)}`] };
  }
  const duplicates = duplicateKeyProblems(text);
  if (duplicates.length > 0) return { ok: false, problems: duplicates.map((p) => `${label}: ${p}`) };
  return parseHwData(data, label);
}

function readScaleSimFile(path: string): Parsed {
  try {
    return { ok: true, model: scaleSimToHwModel(loadScaleSimConfig(path)) };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, problems: err.problems };
    throw err;
  }
}

function readHwFile(path: string): Parsed {
  if (path.endsWith('.cfg')) return readScaleSimFile(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? String(err);
    return { ok: false, problems: [`${path}: cannot read the file (${why}), allowed: a readable JSON hardware file`] };
  }
  return parseHwText(text, path);
}

/** Every problem in a hardware file (JSON or SCALE-Sim .cfg), one message each; empty when valid. */
export function checkHwFile(path: string): string[] {
  return checkHwFileFully(path).problems;
}

/** Problems (the file is refused) and warnings (legal but suspicious values) of a hardware file. */
export function checkHwFileFully(path: string): { problems: string[]; warnings: string[] } {
  const parsed = readHwFile(path);
  if (!parsed.ok) return { problems: parsed.problems, warnings: [] };
  return { problems: [], warnings: hwWarnings(parsed.model).map((w) => `${path}: ${w.path}: ${w.message}`) };
}

/**
 * Resolves a shipped name or a path to a file path, or throws a ConfigError listing the names;
 * `option` names where the value came from in that message.
 */
export function resolveHwPath(nameOrPath: string, option = '--hw'): string {
  const shipped = join(hwModelsDir, `${nameOrPath}.json`);
  if (/^[\w.-]+$/.test(nameOrPath) && !nameOrPath.endsWith('.json') && existsSync(shipped)) return shipped;
  if (existsSync(nameOrPath)) return nameOrPath;
  const names = listHwModels();
  const close = names.filter((n) => n.startsWith(basename(nameOrPath).slice(0, 3)));
  const hint = close.length > 0 ? ` (did you mean ${close.map((n) => `"${n}"`).join(' or ')}?)` : '';
  throw new ConfigError([
    `${option}: found "${nameOrPath}" (neither a shipped model nor an existing file), allowed: ${names.join(', ')} or a path to a JSON hardware file or SCALE-Sim .cfg${hint}`,
  ]);
}

/** Loads a shipped model by name or a hardware file by path; throws ConfigError with every problem. */
export function loadHwModel(nameOrPath: string, option = '--hw'): HwModel {
  const parsed = readHwFile(resolveHwPath(nameOrPath, option));
  if (!parsed.ok) throw new ConfigError(parsed.problems);
  return parsed.model;
}

// Writes and reads SimReport JSON. Writing never overwrites silently: an existing file is refused
// unless `force`, or unless `replaceOwn` and the file is a report alrflow wrote (its `kind` is one of
// ours). Reading validates with the shared zod schema; a malformed file is a ConfigError.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { parseReport, reportKinds } from './report-file.js';
import type { SimReport } from './sim-report.js';

export interface WriteOptions {
  /** Overwrite any existing file. */
  force?: boolean;
  /** Overwrite an existing file only when alrflow wrote it (it parses as JSON with one of our kinds). */
  replaceOwn?: boolean;
  /** The option that named the file, for messages. */
  option?: string;
}

/** True when `path` holds JSON whose `kind` is one of alrflow's report kinds. */
export function writtenByAlrflow(path: string): boolean {
  try {
    const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const kind = typeof data === 'object' && data !== null ? (data as { kind?: unknown }).kind : undefined;
    return typeof kind === 'string' && (reportKinds as string[]).includes(kind);
  } catch {
    return false;
  }
}

/** Checks that `path` may be written under `options`; throws a ConfigError naming the file otherwise. */
export function assertWritable(path: string, options: WriteOptions = {}): void {
  if (!existsSync(path) || options.force) return;
  if (options.replaceOwn && writtenByAlrflow(path)) return;
  const why = options.replaceOwn ? 'exists and was not written by alrflow (no alrflow report kind)' : 'already exists';
  throw new ConfigError([`${options.option ?? 'output'}: ${path} ${why}; allowed: a new file; hint: pass --force to overwrite it, or choose another name`]);
}

/** Writes any alrflow report as pretty JSON (stable key order as produced). */
export function writeReportJson(path: string, report: object, options: WriteOptions = {}): void {
  assertWritable(path, options);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

export function writeSimReport(path: string, report: SimReport, options: WriteOptions = {}): void {
  writeReportJson(path, report, options);
}

/** Reads and validates a SimReport file. */
export function readSimReport(path: string): SimReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: cannot read the report (${(err as Error).message})`]);
  }
  const report = parseReport(text, path);
  if (report.kind !== 'sim-report') throw new ConfigError([`${path}: found kind "${report.kind}", allowed: sim-report; hint: pass a file written by alrflow simulate --json`]);
  return report;
}

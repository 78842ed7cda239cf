// The results of a sweep on disk: DIR/results.jsonl (append-only, one PointResult per line, the
// source of truth), DIR/results.csv (the same rows for spreadsheets, regenerated from the JSONL on
// resume and at the end with the `pareto` column) and DIR/pareto.json. Each row is written with one
// appendFileSync (one write(2) on an O_APPEND file), so a kill leaves at most a torn last line; on
// resume that line is detected and cut off. It does not decide which points to run.
import { appendFileSync, existsSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { makeFolder, writeFileAtomic as writeAtomic } from '../output-file.js';
import { toSweepReport } from './to-sweep-report.js';
import type { PointResult } from './types.js';

export interface StoreOptions {
  resume?: boolean;
  force?: boolean;
  /** Hardware field paths swept (one CSV column each). */
  overrideFields: string[];
  /** Memory level names of the base model (one peak column each). */
  levels: string[];
}

const OWN_FILES = ['results.jsonl', 'results.csv', 'pareto.json', 'sweep-report.json'];

/** Reads the JSONL rows; a torn or unparsable LAST line is cut off the file, any other bad line is an error. */
function readRows(file: string): { rows: PointResult[]; discardedBytes: number } {
  if (!existsSync(file)) return { rows: [], discardedBytes: 0 };
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const rows: PointResult[] = [];
  let goodBytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const complete = i < lines.length - 1;
    if (line === '' && !complete) break;
    let row: PointResult | undefined;
    try {
      row = complete ? (JSON.parse(line) as PointResult) : undefined;
    } catch {
      row = undefined;
    }
    if (row === undefined || typeof row.key !== 'string') {
      if (i >= lines.length - 2) break;
      throw new ConfigError([
        `${file}:${i + 1}: not a result row (found ${JSON.stringify(line.slice(0, 60))}); hint: only the last line can be torn by a kill, this file was edited`,
      ]);
    }
    rows.push(row);
    goodBytes += Buffer.byteLength(line, 'utf8') + 1;
  }
  const discardedBytes = Buffer.byteLength(text, 'utf8') - goodBytes;
  if (discardedBytes > 0) truncateSync(file, goodBytes);
  return { rows, discardedBytes };
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Refuses a DIR holding results unless resume (keep them) or force (delete them); reads only, so callers check before any work. */
export function checkResultsFolder(dir: string, options: { resume?: boolean; force?: boolean }): void {
  const present = OWN_FILES.filter((f) => existsSync(join(dir, f)));
  if (present.length === 0 || options.resume || options.force) return;
  throw new ConfigError([
    `--out ${dir}: already holds ${present.join(', ')}; allowed: an empty or new folder; hint: --resume to continue that sweep, --force to delete its results and start over`,
  ]);
}

export class ResultsStore {
  readonly jsonlPath: string;
  readonly csvPath: string;
  readonly paretoPath: string;
  private readonly rows = new Map<string, PointResult>();
  /** Bytes of a torn last line cut off when the store was opened with resume. */
  readonly discardedBytes: number;

  private constructor(
    readonly dir: string,
    private readonly options: StoreOptions,
  ) {
    this.jsonlPath = join(dir, 'results.jsonl');
    this.csvPath = join(dir, 'results.csv');
    this.paretoPath = join(dir, 'pareto.json');
    const { rows, discardedBytes } = readRows(this.jsonlPath);
    this.discardedBytes = discardedBytes;
    for (const r of rows) if (!this.rows.has(r.key)) this.rows.set(r.key, r);
    this.rewriteCsv();
  }

  /** Opens DIR; refuses a DIR holding results unless resume (keep them) or force (delete them). */
  static open(dir: string, options: StoreOptions): ResultsStore {
    checkResultsFolder(dir, options);
    makeFolder(dir);
    const present = OWN_FILES.filter((f) => existsSync(join(dir, f)));
    if (present.length > 0 && !options.resume) for (const f of present) rmSync(join(dir, f));
    return new ResultsStore(dir, options);
  }

  has(key: string): boolean {
    return this.rows.has(key);
  }

  get size(): number {
    return this.rows.size;
  }

  all(): PointResult[] {
    return [...this.rows.values()];
  }

  /** Appends a result unless its point is already recorded; returns whether it was new. */
  append(result: PointResult): boolean {
    if (this.rows.has(result.key)) return false;
    this.rows.set(result.key, result);
    appendFileSync(this.jsonlPath, `${JSON.stringify(result)}\n`);
    appendFileSync(this.csvPath, `${this.csvRow(result)}\n`);
    return true;
  }

  /**
   * Marks the Pareto front: pareto.json, the CSV's `pareto` column (the JSONL stays append-only)
   * and sweep-report.json, which `alrflow report DIR` draws.
   */
  finish(paretoKeys: ReadonlySet<string>, objectives: string[]): void {
    for (const r of this.rows.values()) r.pareto = paretoKeys.has(r.key);
    const front = [...this.rows.values()].filter((r) => r.pareto);
    writeAtomic(this.paretoPath, `${JSON.stringify({ objectives, points: front }, null, 2)}\n`);
    writeAtomic(join(this.dir, 'sweep-report.json'), `${JSON.stringify(toSweepReport([...this.rows.values()]))}\n`);
    this.rewriteCsv();
  }

  private columns(): string[] {
    return [
      'key',
      'status',
      'reason',
      'model',
      'method',
      'copies',
      'schedule',
      'batch',
      'microBatches',
      'staleness',
      'noiseStorage',
      'iterations',
      'hw',
      ...this.options.overrideFields.map((f) => `hw:${f}`),
      'iterationsPerSecond',
      'samplesPerSecond',
      'cyclesPerIteration',
      'peakMemoryBytes',
      ...this.options.levels.map((l) => `peakBytes:${l}`),
      'energyJoulesPerIteration',
      'utilisation',
      'bubbleRatio',
      'pareto',
    ];
  }

  private csvRow(r: PointResult): string {
    const p = r.point;
    const cells: unknown[] = [
      r.key,
      r.status,
      r.reason,
      p.model,
      p.method,
      p.copies,
      p.schedule,
      p.batch,
      p.microBatches,
      p.staleness,
      p.noiseStorage,
      p.iterations,
      p.hw,
      ...this.options.overrideFields.map((f) => p.hwOverrides[f]),
      r.iterationsPerSecond,
      r.samplesPerSecond,
      r.cyclesPerIteration,
      r.peakMemoryBytes,
      ...this.options.levels.map((l) => r.peakBytesByLevel?.[l]),
      r.energyJoulesPerIteration,
      r.utilisation,
      r.bubbleRatio,
      r.pareto,
    ];
    return cells.map(csvCell).join(',');
  }

  private rewriteCsv(): void {
    const lines = [this.columns().join(','), ...[...this.rows.values()].map((r) => this.csvRow(r))];
    writeAtomic(this.csvPath, `${lines.join('\n')}\n`);
  }
}

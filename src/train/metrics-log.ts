// Per-step and per-epoch metrics of a run, appended to metrics.jsonl and metrics.csv in the run
// directory. On resume the files are cut back to the checkpoint's step, so a resumed run's files equal
// an uninterrupted run's (up to timing columns).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../output-file.js';

export interface MetricsRow {
  kind: 'step' | 'epoch';
  step: number;
  epoch: number;
  /** Metric name to value: loss, lr, samplesPerSecond, train.accuracy, test.loss, sigma.mean (learned sigma; sigma.<layer> in the jsonl only), ... */
  values: Record<string, number>;
}

const csvColumns = [
  'kind',
  'step',
  'epoch',
  'loss',
  'lr',
  'samplesPerSecond',
  'train.loss',
  'train.accuracy',
  'test.loss',
  'test.accuracy',
  'sigma.mean',
  'wallSeconds',
];

function csvLine(row: MetricsRow): string {
  return csvColumns
    .map((c) => (c === 'kind' ? row.kind : c === 'step' ? row.step : c === 'epoch' ? row.epoch : (row.values[c] ?? '')))
    .join(',');
}

export class MetricsLog {
  private readonly jsonlPath: string;
  private readonly csvPath: string;

  constructor(runDir: string) {
    this.jsonlPath = join(runDir, 'metrics.jsonl');
    this.csvPath = join(runDir, 'metrics.csv');
  }

  /** Starts fresh files, or keeps the rows up to `keepThroughStep` when resuming. */
  open(keepThroughStep: number | undefined): void {
    const kept = keepThroughStep === undefined ? [] : this.rows().filter((r) => r.step <= keepThroughStep);
    writeFileAtomic(this.jsonlPath, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
    writeFileAtomic(this.csvPath, [csvColumns.join(','), ...kept.map(csvLine)].map((l) => `${l}\n`).join(''));
  }

  append(row: MetricsRow): void {
    appendFileSync(this.jsonlPath, `${JSON.stringify(row)}\n`);
    appendFileSync(this.csvPath, `${csvLine(row)}\n`);
  }

  rows(): MetricsRow[] {
    if (!existsSync(this.jsonlPath)) return [];
    // A kill during an append can leave a partial last line: drop whatever does not parse.
    return readFileSync(this.jsonlPath, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          return line ? [JSON.parse(line) as MetricsRow] : [];
        } catch {
          return [];
        }
      });
  }
}

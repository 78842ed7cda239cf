// `alrflow sweep`: a design-space sweep from a spec file, on local worker threads (at most one per
// core) or on a Redis queue, with its point count first, a progress bar (plain lines when stderr is
// not a terminal) from the first point, the Pareto table at the end (or, with --json, the outcome as
// JSON on stdout) and an optional HTML report. The work itself is in src/sweep/run-sweep.ts.
import { Option, type Command } from 'commander';
import { ConfigError } from '../../errors.js';
import type { SweepOutcome } from '../../sweep/run-sweep.js';
import type { PointResult } from '../../sweep/types.js';
import { action, positiveInt } from '../action.js';

interface SweepCliOptions {
  spec: string;
  out: string;
  workers?: string;
  queue?: string;
  queueName?: string;
  resume?: boolean;
  force?: boolean;
  report?: string;
  evaluator?: string;
  maxPoints: string;
  json?: boolean;
  quiet?: boolean;
}

interface SweepProgress {
  start(todo: number): void;
  update(r: PointResult, done: number, todo: number): void;
  stop(): void;
}

/** Progress on stderr: a bar with ETA on a terminal, the first point and then at most one plain line a second otherwise. */
async function progressReporter(quiet: boolean): Promise<SweepProgress> {
  if (quiet) return { start: () => undefined, update: () => undefined, stop: () => undefined };
  if (process.stderr.isTTY) {
    const { SingleBar, Presets } = (await import('cli-progress')).default;
    const bar = new SingleBar(
      {
        format: 'sweep [{bar}] {value}/{total} points | {percentage}% | ETA {eta_formatted} | {status}',
        stream: process.stderr,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    return {
      start: (todo) => bar.start(todo, 0, { status: '' }),
      update: (r, done) => bar.update(done, { status: r.status }),
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  let last = 0;
  return {
    start: (todo) => process.stderr.write(`sweep: ${todo} points to evaluate\n`),
    update: (_r, done, todo) => {
      const now = Date.now();
      if (now - last < 1000 && done < todo) return;
      last = now;
      const etaS = done > 0 ? Math.round((((now - started) / done) * (todo - done)) / 1000) : 0;
      process.stderr.write(`sweep: ${done}/${todo} points, ETA ${etaS} s\n`);
    },
    stop: () => undefined,
  };
}

/** Option checks that need no file: every problem at once. */
async function checkedOptions(opts: SweepCliOptions): Promise<{ workers?: number; maxPoints: number }> {
  const problems: string[] = [];
  if (opts.queue && opts.workers)
    problems.push(
      '--workers and --queue: found both; allowed: one of them (queue workers choose their own thread count: `alrflow worker --workers N`)',
    );
  if (opts.resume && opts.force)
    problems.push(
      '--resume and --force: found both; allowed: one of them (--resume keeps the saved results, --force deletes them)',
    );
  if (problems.length > 0) throw new ConfigError(problems);
  const { cappedWorkers } = await import('../worker-count.js');
  const workers = opts.workers === undefined ? undefined : cappedWorkers(positiveInt('--workers', opts.workers));
  return { workers, maxPoints: positiveInt('--max-points', opts.maxPoints) };
}

/** The summary and Pareto table (stderr when stdout carries data), the HTML report and the --json outcome. */
async function finalOutputs(outcome: SweepOutcome, opts: SweepCliOptions): Promise<void> {
  const { emitJson, say } = await import('../output.js');
  const { formatParetoTable } = await import('../../sweep/pareto-table.js');
  const s = outcome.byStatus;
  const wordsToStderr = opts.report === '-' || Boolean(opts.json);
  say(
    `${outcome.rows.length} points in ${opts.out}/results.jsonl: ${s.ok} ok, ${s.infeasible} infeasible, ${s.invalid} invalid, ${s.error} failed; ${outcome.evaluated} evaluated now, ${outcome.skipped} already saved\n`,
    wordsToStderr,
  );
  say(
    `Pareto front (${outcome.objectives.join(', ')}): ${outcome.front.length} points\n${formatParetoTable(outcome.rows, outcome.front)}\n`,
    wordsToStderr,
  );
  if (opts.report) {
    const { writeHtmlReport } = await import('../html-output.js');
    const { toSweepReport } = await import('../../sweep/to-sweep-report.js');
    await writeHtmlReport(opts.report, { sweep: toSweepReport(outcome.rows) });
  }
  const { total, skipped, evaluated, byStatus, objectives, front, rows } = outcome;
  emitJson(
    {
      kind: 'sweep-outcome',
      outDir: opts.out,
      total,
      skipped,
      evaluated,
      byStatus,
      objectives,
      front: front.map((r) => r.key),
      rows,
    },
    { json: opts.json },
  );
}

async function runSweepCommand(opts: SweepCliOptions): Promise<void> {
  const { workers, maxPoints } = await checkedOptions(opts);
  const { checkOutputs, notice } = await import('../output.js');
  checkOutputs(
    [
      { option: '--out', path: opts.out, kind: 'folder' },
      { option: '--report', path: opts.report },
    ],
    { force: opts.force, jsonOnStdout: opts.json },
  );
  const { checkResultsFolder } = await import('../../sweep/results-store.js');
  checkResultsFolder(opts.out, opts);
  const { runSweep } = await import('../../sweep/run-sweep.js');
  const progress = await progressReporter(Boolean(opts.quiet));
  const outcome = await runSweep({
    specPath: opts.spec,
    outDir: opts.out,
    resume: opts.resume,
    force: opts.force,
    workers,
    maxPoints,
    queue: opts.queue,
    queueName: opts.queueName,
    evaluatorModule: opts.evaluator,
    onStart: ({ total, todo, skipped, discardedBytes }) => {
      if (discardedBytes > 0)
        notice(`sweep: discarded a torn last line (${discardedBytes} bytes) of ${opts.out}/results.jsonl\n`);
      notice(`sweep: ${total} points, ${skipped} already saved${opts.queue ? `, queue ${opts.queue}` : ''}\n`);
      if (todo > 0) progress.start(todo);
    },
    onResult: (r, done, todo) => progress.update(r, done, todo),
  });
  progress.stop();
  await finalOutputs(outcome, opts);
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description(
      'evaluate a design space (hardware fields, networks, methods, K, schedules) in parallel and mark the Pareto front',
    )
    .requiredOption('--spec <file>', 'sweep spec JSON file')
    .requiredOption('--out <dir>', 'results folder (results.jsonl, results.csv, pareto.json)')
    .option('--workers <n>', 'local worker threads (default and at most: one per core)')
    .option('--max-points <n>', 'refuse a spec of more points than this, before anything is created', '100000')
    .option(
      '--queue <url>',
      'run on BullMQ workers through Redis at redis://HOST:PORT (start them with `alrflow worker`)',
    )
    .option('--queue-name <name>', 'BullMQ queue name (default alrflow-sweep)')
    .option('--resume', 'keep the saved results in --out and evaluate only the missing points')
    .option('--force', 'delete the results already in --out and start over')
    .option('--report <file.html>', 'write an HTML report with the Pareto scatter (- for stdout)')
    .option(
      '--json',
      'print the sweep report (every point, the Pareto front, counts) as JSON on stdout; the table goes to stderr',
    )
    .option('--quiet', 'no progress or notices on stderr')
    .addOption(new Option('--evaluator <module>', 'module exporting evaluatePoint (tests)').hideHelp())
    .action(action(runSweepCommand));
}

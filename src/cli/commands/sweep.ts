// `alrflow sweep`: a design-space sweep from a spec file, on local worker threads or on a Redis
// queue, with a progress bar (plain lines when stderr is not a terminal), the Pareto table at the
// end and an optional HTML report. The work itself is in src/sweep/run-sweep.ts.
import { Option, type Command } from 'commander';
import { ConfigError } from '../../errors.js';
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
}

/** Progress on stderr: a bar with ETA on a terminal, at most one plain line a second otherwise. */
async function progressReporter(): Promise<{ start(todo: number): void; update(r: PointResult, done: number, todo: number): void; stop(): void }> {
  if (process.stderr.isTTY) {
    const { SingleBar, Presets } = (await import('cli-progress')).default;
    const bar = new SingleBar({ format: 'sweep [{bar}] {value}/{total} points | {percentage}% | ETA {eta_formatted} | {status}', stream: process.stderr, etaBuffer: 20 }, Presets.shades_classic);
    return { start: (todo) => bar.start(todo, 0, { status: '' }), update: (r, done) => bar.update(done, { status: r.status }), stop: () => bar.stop() };
  }
  const started = Date.now();
  let last = 0;
  return {
    start: (todo) => process.stderr.write(`sweep: ${todo} points to evaluate\n`),
    update: (_r, done, todo) => {
      const now = Date.now();
      if (now - last < 1000 && done < todo) return;
      last = now;
      const etaS = done > 0 ? Math.round(((now - started) / done) * (todo - done) / 1000) : 0;
      process.stderr.write(`sweep: ${done}/${todo} points, ETA ${etaS} s\n`);
    },
    stop: () => undefined,
  };
}

async function runSweepCommand(opts: SweepCliOptions): Promise<void> {
  if (opts.queue && opts.workers) throw new ConfigError(['--workers and --queue: found both; allowed: one of them (queue workers choose their own thread count: `alrflow worker --workers N`)']);
  const workers = opts.workers === undefined ? undefined : positiveInt('--workers', opts.workers);
  const { checkOutputs, say } = await import('../output.js');
  checkOutputs([{ option: '--report', path: opts.report }], { force: opts.force });
  const { runSweep } = await import('../../sweep/run-sweep.js');
  const { formatParetoTable } = await import('../../sweep/pareto-table.js');
  const progress = await progressReporter();
  const outcome = await runSweep({
    specPath: opts.spec,
    outDir: opts.out,
    resume: opts.resume,
    force: opts.force,
    workers,
    queue: opts.queue,
    queueName: opts.queueName,
    evaluatorModule: opts.evaluator,
    onStart: ({ total, todo, skipped, discardedBytes }) => {
      if (discardedBytes > 0) process.stderr.write(`sweep: discarded a torn last line (${discardedBytes} bytes) of ${opts.out}/results.jsonl\n`);
      process.stderr.write(`sweep: ${total} points, ${skipped} already saved${opts.queue ? `, queue ${opts.queue}` : ''}\n`);
      if (todo > 0) progress.start(todo);
    },
    onResult: (r, done, todo) => progress.update(r, done, todo),
  });
  progress.stop();
  const s = outcome.byStatus;
  const htmlOnStdout = opts.report === '-';
  say(`${outcome.rows.length} points in ${opts.out}/results.jsonl: ${s.ok} ok, ${s.infeasible} infeasible, ${s.invalid} invalid, ${s.error} failed; ${outcome.evaluated} evaluated now, ${outcome.skipped} already saved\n`, htmlOnStdout);
  say(`Pareto front (${outcome.objectives.join(', ')}): ${outcome.front.length} points\n${formatParetoTable(outcome.rows, outcome.front)}\n`, htmlOnStdout);
  if (opts.report) {
    const { writeHtmlReport } = await import('../html-output.js');
    const { toSweepReport } = await import('../../sweep/to-sweep-report.js');
    await writeHtmlReport(opts.report, { sweep: toSweepReport(outcome.rows) });
  }
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description('evaluate a design space (hardware fields, networks, methods, K, schedules) in parallel and mark the Pareto front')
    .requiredOption('--spec <file>', 'sweep spec JSON file')
    .requiredOption('--out <dir>', 'results folder (results.jsonl, results.csv, pareto.json)')
    .option('--workers <n>', 'local worker threads (default: one per core)')
    .option('--queue <url>', 'run on BullMQ workers through Redis at redis://HOST:PORT (start them with `alrflow worker`)')
    .option('--queue-name <name>', 'BullMQ queue name (default alrflow-sweep)')
    .option('--resume', 'keep the saved results in --out and evaluate only the missing points')
    .option('--force', 'delete the results already in --out and start over')
    .option('--report <file.html>', 'write an HTML report with the Pareto scatter (- for stdout)')
    .addOption(new Option('--evaluator <module>', 'module exporting evaluatePoint (tests)').hideHelp())
    .action(action(runSweepCommand));
}

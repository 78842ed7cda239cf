// `alrflow worker`: a sweep worker for `alrflow sweep --queue`. Runs on any machine that reaches
// the Redis server, evaluates queued points on local worker threads, and stops cleanly on Ctrl-C
// or SIGTERM (a point in progress when it is killed outright is retried by another worker).
import { Option, type Command } from 'commander';
import { action, positiveInt } from '../action.js';

interface WorkerCliOptions {
  queue: string;
  queueName?: string;
  workers?: string;
  lockMs?: string;
  evaluator?: string;
}

async function runWorkerCommand(opts: WorkerCliOptions): Promise<void> {
  const { startQueueWorker } = await import('../../sweep/queue.js');
  const { cappedWorkers } = await import('../worker-count.js');
  const { notice } = await import('../output.js');
  const worker = await startQueueWorker({
    url: opts.queue,
    queueName: opts.queueName,
    workers: opts.workers === undefined ? undefined : cappedWorkers(positiveInt('--workers', opts.workers)),
    lockMs: opts.lockMs === undefined ? undefined : positiveInt('--lock-ms', opts.lockMs),
    evaluatorModule: opts.evaluator,
  });
  process.stderr.write(
    `alrflow worker: connected to ${opts.queue}, ${worker.workers} threads, waiting for points (Ctrl-C to stop)\n`,
  );
  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      notice('alrflow worker: stopping after the points in progress\n');
      void worker.close().then(resolveStop);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('process sweep points from a BullMQ queue on Redis (see `alrflow sweep --queue`)')
    .requiredOption('--queue <url>', 'Redis at redis://HOST:PORT')
    .option('--queue-name <name>', 'BullMQ queue name (default alrflow-sweep)')
    .option('--workers <n>', 'worker threads (default and at most: one per core)')
    .option('--lock-ms <ms>', "job lock: a killed worker's point is retried after about this long (default 30000)")
    .addOption(new Option('--evaluator <module>', 'module exporting evaluatePoint (tests)').hideHelp())
    .action(action(runWorkerCommand));
}

// `alrflow train`: trains a network on a dataset with one gradient method on a kernel backend,
// with progress, metrics, checkpoints and --resume. The work lives in src/train/train.ts.
import type { Command } from 'commander';
import { action, oneOf, positiveInt } from '../action.js';
import { ConfigError } from '../../errors.js';

interface TrainFlags {
  report?: string;
  model: string;
  dataset: string;
  method: string;
  copies: string;
  batch: string;
  epochs: string;
  backend: string;
  seed: string;
  out: string;
  resume?: boolean;
  force?: boolean;
  lr?: string;
  optimizer: string;
  momentum: string;
  schedule: string;
  sigma: string;
  baseline: string;
  encoding: string;
  antithetic?: boolean;
  layerwise?: boolean;
  limit?: string;
  testLimit?: string;
  hidden: string;
  checkpointEvery: string;
  quiet?: boolean;
}

function positiveNumber(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError([`${option}: found "${value}", allowed: a positive number`]);
  return n;
}

async function configFrom(flags: TrainFlags) {
  const { methods } = await import('../../ir/types.js');
  const { lrScheduleKinds } = await import('../../train/lr-schedule.js');
  const { defaultTrainConfig } = await import('../../train/train-config.js');
  const optimizer = oneOf('--optimizer', flags.optimizer, ['sgd', 'adam'] as const);
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 24) throw new ConfigError([`--seed: found "${flags.seed}", allowed: an integer in [0, 2^24)`]);
  return {
    ...defaultTrainConfig,
    model: flags.model,
    dataset: flags.dataset,
    method: oneOf('--method', flags.method, methods),
    copies: positiveInt('--copies', flags.copies),
    batch: positiveInt('--batch', flags.batch),
    epochs: positiveInt('--epochs', flags.epochs),
    backend: flags.backend,
    seed,
    optimizer,
    lr: flags.lr === undefined ? (optimizer === 'adam' ? 1e-3 : 0.01) : positiveNumber('--lr', flags.lr),
    momentum: Number(flags.momentum),
    schedule: oneOf('--schedule', flags.schedule, lrScheduleKinds),
    sigma: positiveNumber('--sigma', flags.sigma),
    baseline: oneOf('--baseline', flags.baseline, ['none', 'mean', 'leave-one-out'] as const),
    encoding: oneOf('--encoding', flags.encoding, ['sign-noise', 'sign-signal'] as const),
    antithetic: Boolean(flags.antithetic),
    layerwise: Boolean(flags.layerwise),
    hidden: flags.hidden.split(',').map((w) => positiveInt('--hidden', w)),
    checkpointEvery: positiveInt('--checkpoint-every', flags.checkpointEvery),
    ...(flags.limit === undefined ? {} : { limit: positiveInt('--limit', flags.limit) }),
    ...(flags.testLimit === undefined ? {} : { testLimit: positiveInt('--test-limit', flags.testLimit) }),
  };
}

export function register(program: Command): void {
  program
    .command('train')
    .description('train a network with BP, LR, ALR, ES or AES on a kernel backend (progress, metrics, checkpoints, --resume)')
    .requiredOption('--model <name>', 'mlp (cnn, resnet5: not yet in the runtime)')
    .requiredOption('--dataset <name>', 'mnist | fashion-mnist | iris | synthetic')
    .requiredOption('--method <m>', 'bp | lr | alr | es | aes')
    .requiredOption('--out <dir>', 'run directory (runs/NAME)')
    .option('--copies <K>', 'noise copies per sample', '64')
    .option('--batch <N>', 'samples per step', '64')
    .option('--epochs <E>', 'epochs', '3')
    .option('--backend <b>', 'kernel backend (auto picks the fastest that works)', 'auto')
    .option('--seed <s>', 'seed of all randomness (init, shuffling, noise)', '1')
    .option('--resume', 'continue the run in --out from its checkpoint')
    .option('--force', 'overwrite an existing run directory')
    .option('--lr <rate>', 'base learning rate (default 0.01 for sgd, 1e-3 for adam)')
    .option('--optimizer <o>', 'sgd | adam', 'sgd')
    .option('--momentum <m>', 'SGD momentum', '0.9')
    .option('--schedule <s>', 'constant | cosine | step', 'cosine')
    .option('--sigma <s>', 'noise standard deviation', '0.1')
    .option('--baseline <b>', 'none | mean | leave-one-out', 'mean')
    .option('--encoding <e>', 'ALR: sign-noise | sign-signal', 'sign-noise')
    .option('--antithetic', 'antithetic noise pairs')
    .option('--layerwise', 'layer-wise noise injection')
    .option('--limit <N>', 'use the first N training samples')
    .option('--test-limit <N>', 'use the first N test samples')
    .option('--hidden <widths>', 'MLP hidden widths, comma separated', '256')
    .option('--checkpoint-every <steps>', 'checkpoint interval in steps', '100')
    .option('--quiet', 'no progress output')
    .option('--report <file.html>', 'write the HTML report (learning curves) at the end')
    .action(
      action(async (flags: TrainFlags) => {
        const { train } = await import('../../train/train.js');
        const { createProgress } = await import('../../train/progress.js');
        const { checkHtmlPath, writeHtmlReport } = await import('../html-output.js');
        await checkHtmlPath(flags.report, Boolean(flags.force));
        const summary = await train(await configFrom(flags), {
          outDir: flags.out,
          resume: Boolean(flags.resume),
          force: Boolean(flags.force),
          progress: createProgress({ quiet: Boolean(flags.quiet) }),
        });
        if (summary.stoppedAtStep !== undefined) process.exitCode = 130;
        else if (summary.final) {
          const f = summary.final;
          process.stdout.write(
            `done: ${summary.config.method} on ${summary.backend}, test accuracy ${(100 * f.testAccuracy).toFixed(2)}% (loss ${f.testLoss.toFixed(4)}), train accuracy ${(100 * f.trainAccuracy).toFixed(2)}%, ${summary.wallSeconds.toFixed(1)} s; report ${flags.out}/train-report.json\n`,
          );
          const { readReports } = await import('../../report/report-file.js');
          await writeHtmlReport(flags.report, { train: readReports(flags.out).train });
        }
      }),
    );
}

// `alrflow train`: trains a network on a dataset with one gradient method on a kernel backend,
// with progress, metrics, checkpoints and --resume. The work lives in src/train/train.ts. Every
// METHOD.md switch the runtime supports is a flag (baseline, encoding, antithetic, layer-wise, learned
// sigma); a combination the runtime cannot run is refused here with exit 2, naming what is allowed.
import type { Command } from 'commander';
import { action, oneOf, positiveInt, positiveNumber, strictInt } from '../action.js';
import { ConfigError } from '../../errors.js';
import { methodOf, methodsWith, type Method } from '../../compiler/methods/registry.js';
import { usesCopies, type SwitchName } from '../../compiler/methods/rules.js';
import { datasets } from '../../train/datasets/load-dataset.js';
import type { MethodSwitches } from '../../ir/method-rules.js';
import type { TrainConfig } from '../../train/train-config.js';
import type { TrainSummary } from '../../train/train-report-file.js';
import type { RecipeUse } from '../train-recipe.js';
import { addStepOptions, printStepGraph, resolveStepFlags, stepDefaults, type StepFlags } from '../step-options.js';

interface TrainFlags extends StepFlags {
  report?: string;
  dataset?: string;
  epochs: string;
  backend: string;
  seed: string;
  out?: string;
  resume?: boolean;
  force?: boolean;
  lr?: string;
  lrSchedule?: string;
  profile?: boolean;
  sigma: string;
  sigmaLr?: string;
  sigmaMin?: string;
  baseline?: string;
  encoding?: string;
  antithetic?: boolean;
  layerwise?: boolean;
  bpLayers?: string;
  qmc?: boolean;
  limit?: string;
  testLimit?: string;
  dataDir?: string;
  labels?: string;
  augment?: string;
  hidden: string;
  init?: string;
  checkpointEvery: string;
  quiet?: boolean;
  maxMemory?: string;
  json?: boolean;
}

/** Exit code of a run stopped by a non-finite loss (documented in --help and the README). */
const divergedExitCode = 4;

/**
 * Switch combinations the runtime cannot run, one line each: the flag, the method it was given with,
 * and what is allowed. Defaults are applied after this check, so only switches the user gave count.
 */
function switchProblems(flags: TrainFlags, method: Method, copies: number): string[] {
  const problems: string[] = [];
  const only = (flag: string, which: SwitchName, why: string): void => {
    if (!methodOf(method).switches.includes(which))
      problems.push(`${flag} with --method ${method}: ${why}; allowed with --method ${methodsWith(which).join(', ')}`);
  };
  const noisy = usesCopies(methodOf(method));
  // Learned sigma, --layerwise and --bp-layers are checked with the step's options (compile-options.ts).
  if (flags.antithetic) only('--antithetic', 'antithetic', 'BP draws no noise to pair');
  if (flags.antithetic && noisy && copies % 2 !== 0)
    problems.push(
      `--antithetic with --copies ${copies}: pairs (eps, -eps) need an even number of copies; allowed: an even K. Hint: --copies ${copies + 1}`,
    );
  if (flags.encoding !== undefined) only('--encoding', 'encoding', 'the encoding is how ALR keeps its noise signs');
  if (flags.baseline !== undefined) only('--baseline', 'baseline', 'BP has no per-copy losses to baseline');
  if (flags.baseline === 'leave-one-out' && copies < 2 && noisy)
    problems.push(
      `--baseline leave-one-out with --copies ${copies}: needs at least 2 copies; allowed: K >= 2, or --baseline mean | none`,
    );
  if (flags.encoding === 'sign-signal' && flags.baseline === 'none') {
    problems.push(
      `--encoding sign-signal with --baseline none: the cross-entropy is always positive, so its sign carries no loss information; allowed: --baseline mean | leave-one-out`,
    );
  }
  if (flags.qmc)
    problems.push(
      `--qmc: the training runtime draws i.i.d. counter-based noise on the kernel backends; quasi-Monte Carlo noise is only in the direct estimators (src/estimators); allowed: omit --qmc`,
    );
  return problems;
}

function learnSigmaConfig(flags: TrainFlags): { learnSigma?: true; sigmaLr?: number; sigmaMin?: number } {
  if (!flags.learnSigma) return {};
  return {
    learnSigma: true,
    ...(flags.sigmaLr === undefined ? {} : { sigmaLr: positiveNumber('--sigma-lr', flags.sigmaLr) }),
    ...(flags.sigmaMin === undefined ? {} : { sigmaMin: positiveNumber('--sigma-min', flags.sigmaMin) }),
  };
}

/**
 * --schedule names the compiler's step schedule; a learning-rate schedule name there is read as
 * --lr-schedule (command lines from before step schedules existed keep working).
 */
async function lrScheduleOf(flags: TrainFlags) {
  const { lrScheduleKinds } = await import('../../train/lr-schedule.js');
  const given = flags.schedule;
  const asLr = given !== undefined && (lrScheduleKinds as readonly string[]).includes(given);
  if (asLr && flags.lrSchedule !== undefined)
    throw new ConfigError([
      `--schedule ${given} with --lr-schedule ${flags.lrSchedule}: both set the learning-rate schedule; allowed: --lr-schedule only`,
    ]);
  const lrSchedule = oneOf('--lr-schedule', asLr ? given! : (flags.lrSchedule ?? 'cosine'), lrScheduleKinds);
  return { lrSchedule, stepSchedule: asLr ? undefined : given };
}

/** Training's learned-sigma rate, floor and start, checked with the step's options. */
function learnedSigmaRates(flags: TrainFlags, sigma: number) {
  const rate = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  return { lr: rate(flags.sigmaLr), floor: rate(flags.sigmaMin), start: sigma };
}

/** The step's options (shared with simulate and compile) as train-config fields. */
async function stepConfig(flags: TrainFlags, method: Method, sigma: number) {
  const { defaultTrainConfig } = await import('../../train/train-config.js');
  const { lrSchedule, stepSchedule } = await lrScheduleOf(flags);
  const switches = {
    baseline: flags.baseline ?? defaultTrainConfig.baseline,
    encoding: flags.encoding ?? defaultTrainConfig.encoding,
    antithetic: Boolean(flags.antithetic),
    learnedSigma: Boolean(flags.learnSigma),
  } as MethodSwitches;
  const extra = { layerwise: Boolean(flags.layerwise), switches, learnedSigmaRates: learnedSigmaRates(flags, sigma) };
  const { options, hw, momentum } = await resolveStepFlags({ ...flags, method, schedule: stepSchedule }, extra);
  return {
    batch: options.batch,
    optimizer: options.optimizer,
    momentum,
    schedule: lrSchedule,
    stepSchedule: options.schedule,
    microBatches: options.microBatches,
    staleness: options.staleness,
    hw,
    noiseStorage: options.noiseStorage,
    ...(options.stages === undefined ? {} : { stages: options.stages }),
    ...(options.stageCuts === undefined ? {} : { stageCuts: options.stageCuts }),
  };
}

/** --data-dir, --labels and --augment: where the files are, which labels, and the batch augmentation. */
async function dataConfig(flags: TrainFlags) {
  const { augmentKinds } = await import('../../train/augment.js');
  const { datasetEntry, datasets } = await import('../../train/datasets/load-dataset.js');
  const entry = datasetEntry(flags.dataset!);
  const withImages = datasets.filter((d) => d.images).map((d) => d.name);
  const withLabels = datasets.filter((d) => d.labelKinds).map((d) => d.name);
  const problems: string[] = [];
  if (flags.dataDir !== undefined && !entry.images)
    problems.push(
      `--data-dir with --dataset ${entry.name}: it has no files to point at; allowed with --dataset ${withImages.join(', ')}`,
    );
  if (flags.labels !== undefined && !entry.labelKinds)
    problems.push(
      `--labels with --dataset ${entry.name}: it has one label kind; allowed with --dataset ${withLabels.join(', ')}`,
    );
  if (flags.augment === 'crop-flip' && !entry.images)
    problems.push(
      `--augment crop-flip with --dataset ${entry.name}: crops and flips need images; allowed with --dataset ${withImages.join(', ')}`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  const labelKinds = entry.labelKinds;
  return {
    ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
    ...(labelKinds ? { labels: oneOf('--labels', flags.labels ?? labelKinds[0]!, labelKinds) } : {}),
    augment: oneOf('--augment', flags.augment ?? entry.defaultAugment, augmentKinds),
  };
}

/** --max-memory: a size with a unit ("6 GiB", "500MB"), a byte count, or a share of the memory available ("50%"). */
async function maxMemoryBytes(text: string | undefined): Promise<number | undefined> {
  if (text === undefined) return undefined;
  const allowed =
    'allowed: a size such as "6 GiB" or "500 MB", a byte count, or a percentage of the available memory such as "50%"';
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (percent) {
    const share = Number(percent[1]) / 100;
    if (!(share > 0 && share <= 1))
      throw new ConfigError([`--max-memory: found "${text}", ${allowed} (a percentage in (0, 100])`]);
    const { availableMemoryBytes } = await import('../../train/memory-guard.js');
    return Math.floor(share * availableMemoryBytes());
  }
  if (/^\s*\d+\s*$/.test(text)) return positiveInt('--max-memory', text.trim());
  const { parseQuantity } = await import('../../hw/units.js');
  const parsed = parseQuantity(text, 'bytes');
  if (!parsed.ok || parsed.quantity.kind !== 'bytes')
    throw new ConfigError([`--max-memory: ${parsed.ok ? `found "${text}"` : parsed.problem}; ${allowed}`]);
  return parsed.quantity.bytes;
}

/** --init: an ONNX model starts from its initializers ('file', the default) or the seeded draw ('random'). */
function initConfig(flags: TrainFlags): { init?: 'random' } {
  if (flags.init === undefined) return {};
  const init = oneOf('--init', flags.init, ['file', 'random'] as const);
  if (!flags.model?.toLowerCase().endsWith('.onnx'))
    throw new ConfigError([
      `--init ${init}: --model ${flags.model} carries no weights; allowed: --init with an .onnx --model (other models start from the seeded draw)`,
    ]);
  return init === 'random' ? { init } : {};
}

/**
 * The optimizer and learning rate: the flags', else the model's recipe (models/registry.ts, per method
 * where it has one), else SGD at 0.01 (Adam at 1e-3 when only --optimizer adam is given).
 */
function optimizerConfig(flags: TrainFlags, recipe: RecipeUse, stepOptimizer: 'sgd' | 'adam') {
  const optimizer = recipe.optimizer ?? stepOptimizer;
  if (flags.lr !== undefined) return { optimizer, lr: positiveNumber('--lr', flags.lr) };
  return { optimizer, lr: recipe.lr ?? (optimizer === 'adam' ? 1e-3 : 0.01) };
}

async function configFrom(given: TrainFlags, optimizerGiven = true): Promise<TrainConfig> {
  const { methodNames: methods } = await import('../../compiler/methods/registry.js');
  const { defaultTrainConfig } = await import('../../train/train-config.js');
  const seed = strictInt('--seed', given.seed, 0);
  if (seed >= 2 ** 24) throw new ConfigError([`--seed: found "${given.seed}", allowed: an integer in [0, 2^24)`]);
  const { recommendedStep } = await import('../../compiler/methods/recommended-steps.js');
  const method = oneOf('--method', given.method ?? recommendedStep(given.model)?.method ?? '', methods);
  const { recipeUse } = await import('../train-recipe.js');
  const recipe = recipeUse(given, method, optimizerGiven);
  if (recipe.line) (await import('../output.js')).notice(`${recipe.line}\n`);
  const flags: TrainFlags = {
    ...given,
    copies: given.copies ?? recipe.copies,
    batch: given.batch ?? recipe.batch,
    bpLayers: given.bpLayers ?? recipe.bpLayers,
  };
  const copies = positiveInt('--copies', flags.copies ?? stepDefaults.copies);
  const sigma = positiveNumber('--sigma', flags.sigma);
  // The train-only switch problems and the step's, all at once.
  const problems = switchProblems(flags, method, copies);
  const step = await stepConfig(flags, method, sigma).catch((err: unknown) => {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return undefined;
  });
  if (problems.length > 0 || !step) throw new ConfigError(problems);
  return {
    ...defaultTrainConfig,
    model: flags.model!,
    dataset: flags.dataset!,
    method,
    copies,
    epochs: positiveInt('--epochs', flags.epochs),
    backend: flags.backend,
    seed,
    ...step,
    ...optimizerConfig(flags, recipe, step.optimizer),
    sigma,
    ...learnSigmaConfig(flags),
    baseline: oneOf('--baseline', flags.baseline ?? defaultTrainConfig.baseline, [
      'none',
      'mean',
      'leave-one-out',
    ] as const),
    encoding: oneOf('--encoding', flags.encoding ?? defaultTrainConfig.encoding, [
      'sign-noise',
      'sign-signal',
    ] as const),
    antithetic: Boolean(flags.antithetic),
    layerwise: Boolean(flags.layerwise),
    ...(flags.bpLayers === undefined ? {} : { bpLayers: flags.bpLayers }),
    hidden: flags.hidden.split(',').map((w) => positiveInt('--hidden', w)),
    ...initConfig(flags),
    checkpointEvery: positiveInt('--checkpoint-every', flags.checkpointEvery),
    ...(flags.limit === undefined ? {} : { limit: positiveInt('--limit', flags.limit) }),
    ...(flags.testLimit === undefined ? {} : { testLimit: positiveInt('--test-limit', flags.testLimit) }),
    ...(await dataConfig(flags)),
  };
}

/** The HTML report and, with --json, train-report.json on stdout (a finished or diverged run). */
async function finalOutputs(flags: TrainFlags): Promise<void> {
  const { emitJson } = await import('../output.js');
  const { runPaths } = await import('../../train/run-dir.js');
  const { readFileSync } = await import('node:fs');
  if (flags.json) emitJson(JSON.parse(readFileSync(runPaths(flags.out!).report, 'utf8')), { json: true });
  const { readReports } = await import('../../report/report-file.js');
  const { writeHtmlReport } = await import('../html-output.js');
  await writeHtmlReport(flags.report, { train: readReports(flags.out!).train });
}

/** Where the data comes from and where the run goes. */
function addRunOptions(command: Command): Command {
  return command
    .option('--dataset <name>', datasets.map((d) => `${d.name}: ${d.summary}`).join('; '))
    .option(
      '--data-dir <dir>',
      'CIFAR: the folder cifar-10-batches-bin/ or cifar-100-binary/ (or its parent); MNIST, Fashion-MNIST: the folder of the IDX files',
    )
    .option('--labels <kind>', 'CIFAR-100: fine (100 classes) | coarse (20 classes) (default: fine)')
    .option(
      '--augment <a>',
      'training-batch augmentation: none | crop-flip (random crop with 4-pixel padding, horizontal flip; default: crop-flip for CIFAR, none otherwise)',
    )
    .option('--out <dir>', 'run directory (runs/NAME); required unless --print-graph')
    .option('--epochs <E>', 'epochs', '3')
    .option('--backend <b>', 'kernel backend (auto picks the fastest that works)', 'auto')
    .option('--seed <s>', 'seed of all randomness (init, shuffling, noise)', '1')
    .option(
      '--resume',
      'continue the run in --out from its checkpoint with its saved settings (only --epochs, --checkpoint-every, --report may change)',
    )
    .option('--force', 'overwrite an existing run directory')
    .option(
      '--lr <rate>',
      'base learning rate (default 0.01 for sgd, 1e-3 for adam; without --optimizer, a model with its own recipe uses it: vit-tiny adam 1e-3)',
    )
    .option('--lr-schedule <s>', 'learning-rate schedule: constant | cosine | step (default: cosine)')
    .option('--profile', 'measure time per graph node (steps after the first) into train-report.json profile');
}

/** METHOD.md's switches of the noisy methods, and the samples and widths. */
function addMethodOptions(command: Command): Command {
  return command
    .option('--sigma <s>', 'noise standard deviation (the start value with --learn-sigma)', '0.1')
    .option('--sigma-lr <rate>', 'with --learn-sigma: base learning rate of sigma, scheduled like --lr (default: --lr)')
    .option('--sigma-min <s>', 'with --learn-sigma: floor of sigma after every update (default: 1e-3)')
    .option('--baseline <b>', 'LR/ALR/ES/AES: none | mean | leave-one-out (default: mean)')
    .option('--encoding <e>', 'ALR: sign-noise | sign-signal (default: sign-noise)')
    .option('--antithetic', 'LR/ALR/ES/AES: antithetic noise pairs (eps, -eps); even --copies')
    .option('--layerwise', 'LR/ALR: layer-wise noise injection (one noisy layer per pass)')
    .option('--qmc', 'quasi-Monte Carlo noise: not supported by the training runtime (refused)')
    .option('--limit <N>', 'use the first N training samples')
    .option('--test-limit <N>', 'use the first N test samples')
    .option('--hidden <widths>', 'MLP hidden widths, comma separated', '256')
    .option(
      '--init <kind>',
      'an .onnx --model starts from: file (its initializers; the default) | random (the seeded draw)',
    )
    .option('--checkpoint-every <steps>', 'checkpoint interval in steps', '100');
}

function addOutputOptions(command: Command): Command {
  return command
    .option('--quiet', 'no progress output')
    .option(
      '--max-memory <size>',
      'refuse (exit 3, nothing written) a run whose memory, counted from its compiled graphs, exceeds this: "6 GiB", bytes, or "50%" of the available memory (default: 80%)',
    )
    .option('--json', 'print the final train report (train-report.json) as JSON on stdout; progress stays on stderr')
    .option('--report <file.html>', 'write the HTML report (learning curves) at the end');
}

/** The run's config: the saved one with --resume, else the flags'. */
async function runConfig(flags: TrainFlags, command: Command): Promise<TrainConfig> {
  const { requireForFreshRun, resumeConfig } = await import('../train-resume.js');
  if (flags.resume) return resumeConfig({ ...flags }, command);
  requireForFreshRun({ ...flags }, [
    ['model', '--model'],
    ['dataset', '--dataset'],
    ['method', '--method'],
  ]);
  return configFrom(flags, command.getOptionValueSource('optimizer') === 'cli');
}

/** Whether the profiled steps kept their state on the device, and why not. */
function residencyText(r: { resident: boolean; reason?: string } | undefined): string {
  if (!r) return 'residency unknown';
  return r.resident ? 'resident steps (state on the device)' : `not resident: ${r.reason}`;
}

/** The lines a finished run prints: accuracy, and the backend's transfer totals where it counts them. */
async function finishedLines(flags: TrainFlags, summary: TrainSummary): Promise<void> {
  const { say } = await import('../output.js');
  const f = summary.final!;
  const wordsToStderr = flags.report === '-' || Boolean(flags.json);
  say(
    `done: ${summary.config.method} on ${summary.backend}, test accuracy ${(100 * f.testAccuracy).toFixed(2)}% (loss ${f.testLoss.toFixed(4)}), train accuracy ${(100 * f.trainAccuracy).toFixed(2)}%, ${summary.wallSeconds.toFixed(1)} s; report ${flags.out}/train-report.json\n`,
    wordsToStderr,
  );
  const x = summary.profile?.transfers;
  if (x)
    say(
      `host/device transfers per profiled step (${summary.backend}): ${x.count} (${x.bytes} bytes): ${x.uploads.count} uploads (${x.uploads.bytes} bytes), ${x.downloads.count} downloads (${x.downloads.bytes} bytes); ${residencyText(summary.profile!.residency)}\n`,
      wordsToStderr,
    );
  const t = summary.transfer;
  if (t)
    say(
      `page transfer (${summary.backend}): ${t.calls} calls, ${(t.bytesToPage / 2 ** 20).toFixed(1)} MiB to the page and ${(t.bytesFromPage / 2 ** 20).toFixed(1)} MiB back, ${(t.transferMs / 1000).toFixed(1)} s outside the page vs ${(t.pageMs / 1000).toFixed(1)} s inside\n`,
      wordsToStderr,
    );
}

async function runTrain(flags: TrainFlags, command: Command): Promise<void> {
  if (flags.printGraph) {
    const { compiledTrainStep } = await import('../../train/train-setup.js');
    return printStepGraph((await compiledTrainStep(await runConfig(flags, command))).graph);
  }
  if (flags.out === undefined)
    throw new ConfigError([
      '--out: missing, allowed: a run directory such as runs/NAME (only --print-graph needs none)',
    ]);
  const { checkOutputs } = await import('../output.js');
  const outputs = [
    { option: '--out', path: flags.out, kind: 'folder' as const },
    { option: '--report', path: flags.report },
  ];
  checkOutputs(outputs, { force: flags.force, jsonOnStdout: flags.json });
  (await import('../train-gc.js')).tuneGcForTraining();
  const { train } = await import('../../train/train.js');
  const { createProgress } = await import('../../train/progress.js');
  const summary = await train(await runConfig(flags, command), {
    outDir: flags.out,
    resume: Boolean(flags.resume),
    force: Boolean(flags.force),
    profile: Boolean(flags.profile),
    maxMemoryBytes: await maxMemoryBytes(flags.maxMemory),
    progress: createProgress({ quiet: Boolean(flags.quiet) }),
  });
  if (summary.stoppedAtStep !== undefined) process.exitCode = 130;
  else if (summary.divergence) {
    const { divergenceWarning } = await import('../../train/divergence.js');
    process.stderr.write(
      `alrflow: ${divergenceWarning(summary.divergence, `${flags.out}/checkpoint.bin`, summary.config.lr)}; report ${flags.out}/train-report.json\n`,
    );
    process.exitCode = divergedExitCode;
  } else if (summary.final) await finishedLines(flags, summary);
  if (summary.divergence || summary.final) await finalOutputs(flags);
}

export function register(program: Command): void {
  const command = program
    .command('train')
    .description(
      'train a network with BP, LR, ALR, ES or AES on a kernel backend (progress, metrics, checkpoints, --resume)',
    );
  const lrAlias = '; a learning-rate schedule name is read as --lr-schedule';
  addOutputOptions(addMethodOptions(addRunOptions(addStepOptions(command, lrAlias)))).action(action(runTrain));
}

// The train loop: loads the dataset, builds the runtime, runs the steps with a schedule, writes
// metrics and checkpoints, evaluates before the first step (so curves start at step 0) and at every
// epoch end, and writes train-report.json. All
// randomness is a pure function of (seed, epoch, step), so resume reproduces an uninterrupted run; the
// checkpoint records the noise generator's version and a resume under another one warns (noise-version.ts).
// With learned sigma the per-layer sigmas are part of the checkpoint, logged at every epoch end
// (sigma.<layer> means, sigma.mean overall) and reported at the end.
import { existsSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { gatherBatch, epochPermutation } from './batches.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { noiseVersionWarning } from './noise-version.js';
import { NOISE_GENERATOR_VERSION } from '../../kernels/rng.js';
import { loadDataset } from './datasets/load-dataset.js';
import { featureCount, type Dataset } from './datasets/types.js';
import { augmentBatch } from './augment.js';
import { learningRateAt } from './lr-schedule.js';
import { startParams } from '../compiler/start-params.js';
import { MetricsLog } from './metrics-log.js';
import { createProgress, type Progress } from './progress.js';
import { isNonFiniteError, RunDiverged } from './divergence.js';
import { checkRunDir, removeFailedRun, runPaths, saveRunConfig, writeRunDir } from './run-dir.js';
import { stepProfile } from './step-profile.js';
import { addTransfers, NO_TRANSFERS, type DeviceTransfers } from '../../kernels/device-transfers.js';
import { Runtime } from './runtime/runtime.js';
import {
  datasetOptions,
  guardMemory,
  methodOptions,
  stepScheduleOf,
  trainNetwork,
  type MemoryUse,
} from './train-setup.js';
import type { KeptBytes } from './runtime/step-types.js';
import type { TrainConfig } from './train-config.js';
import { writeTrainReport, type TrainSummary } from './train-report-file.js';

export interface TrainOptions {
  outDir: string;
  resume: boolean;
  force: boolean;
  progress?: Progress;
  /** Measure time per graph node over the steps after this invocation's first (train --profile). */
  profile?: boolean;
  /** Refuse (exit 3) a run whose counted memory exceeds this; default: 80% of the memory available. */
  maxMemoryBytes?: number;
  /** Stop (with a checkpoint) after this many steps of this invocation: used by tests. */
  stopAfterSteps?: number;
}

interface CheckpointMeta {
  step: number;
  optimizerUpdates: number;
  wallSeconds: number;
  config: TrainConfig;
  /** kernels/rng.ts's NOISE_GENERATOR_VERSION of the build that wrote it; absent before it was recorded. */
  noiseGenerator?: number;
}

interface Loop {
  config: TrainConfig;
  dataset: Dataset;
  runtime: Runtime;
  metrics: MetricsLog;
  progress: Progress;
  checkpoint: string;
  stepsPerEpoch: number;
  totalSteps: number;
  wallSeconds: number;
  keptBytes?: KeptBytes;
  /** train --profile: the steps timed so far in this invocation, their wall seconds, and the host <-> device transfers of those steps alone. */
  profiled?: { steps: number; seconds: number; moved?: DeviceTransfers | undefined };
  memory: MemoryUse;
}

/** Writes the checkpoint (the runtime's state brought to the host first: a resident run keeps it on the device). */
async function save(loop: Loop, step: number): Promise<void> {
  await loop.runtime.syncHost();
  const { arrays, optimizerUpdates } = loop.runtime.exportState();
  writeCheckpoint<CheckpointMeta>(loop.checkpoint, {
    meta: {
      step,
      optimizerUpdates,
      wallSeconds: loop.wallSeconds,
      config: loop.config,
      noiseGenerator: NOISE_GENERATOR_VERSION,
    },
    arrays,
  });
}

async function setup(
  config0: TrainConfig,
  options: TrainOptions,
  wrote: { runDir: boolean },
): Promise<{ loop: Loop; startStep: number }> {
  const config = checkRunDir(options.outDir, config0, options);
  const dataset = loadDataset(config.dataset, datasetOptions(config));
  const network = await trainNetwork(config, dataset);
  const memory = guardMemory(config, dataset, network, options.maxMemoryBytes);
  const runtime = await Runtime.create({
    network,
    backend: config.backend,
    seed: config.seed,
    method: methodOptions(config),
    optimizer: { kind: config.optimizer, momentum: config.momentum, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    ...stepScheduleOf(config),
    ...(await startParams(config.model, config.init)),
  });
  const stepsPerEpoch = Math.floor(dataset.train.count / config.batch);
  if (stepsPerEpoch < 1)
    throw new ConfigError([
      `--batch ${config.batch}: larger than the ${dataset.train.count} training samples; allowed: at most ${dataset.train.count}`,
    ]);
  wrote.runDir = !options.resume;
  writeRunDir(options.outDir, config, options);
  const paths = runPaths(options.outDir);
  const loop: Loop = {
    config,
    dataset,
    runtime,
    metrics: new MetricsLog(options.outDir),
    progress: options.progress ?? createProgress(),
    checkpoint: paths.checkpoint,
    stepsPerEpoch,
    totalSteps: stepsPerEpoch * config.epochs,
    wallSeconds: 0,
    memory,
  };
  warnDroppedSamples(loop);
  let startStep = 0;
  if (options.resume) {
    const state = readCheckpoint<CheckpointMeta>(paths.checkpoint);
    runtime.importState(state.arrays, state.meta.optimizerUpdates);
    startStep = state.meta.step;
    loop.wallSeconds = state.meta.wallSeconds;
    const noiseWarning = noiseVersionWarning(paths.checkpoint, state.meta, startStep);
    if (noiseWarning) process.stderr.write(`${noiseWarning}\n`);
    // Only a resume that could load its checkpoint changes the saved run (a failed one changes nothing).
    saveRunConfig(options.outDir, config);
    loop.progress.line(
      `resuming ${options.outDir} at step ${startStep}/${loop.totalSteps} on backend ${runtime.backend}`,
    );
  }
  if (options.profile) loop.profiled = { steps: 0, seconds: 0 };
  loop.metrics.open(options.resume ? startStep : undefined);
  return { loop, startStep };
}

async function endOfEpoch(loop: Loop, step: number, epoch: number): Promise<TrainSummary['final']> {
  const { dataset, config, runtime } = loop;
  const trainCount = Math.min(dataset.train.count, config.trainEvalSamples);
  const chunk = loop.memory.evaluationChunk;
  const train = await runtime.evaluate(dataset.train.features, dataset.train.labels, trainCount, chunk);
  const test = await runtime.evaluate(dataset.test.features, dataset.test.labels, dataset.test.count, chunk);
  // Huge but finite weights can still overflow in the evaluation: the same divergence.
  const bad = Object.entries({ train: train.loss, test: test.loss }).find(([, loss]) => !Number.isFinite(loss));
  if (bad) throw await diverged(loop, step, step, `${bad[0]} loss in the evaluation (${bad[1]})`);
  const values = {
    'train.loss': train.loss,
    'train.accuracy': train.accuracy,
    'test.loss': test.loss,
    'test.accuracy': test.accuracy,
    ...sigmaValues(runtime),
    wallSeconds: loop.wallSeconds,
  };
  loop.metrics.append({ kind: 'epoch', step, epoch, values });
  loop.progress.line(
    `epoch ${epoch} step ${step}: train loss ${train.loss.toFixed(4)} acc ${(100 * train.accuracy).toFixed(2)}%  test loss ${test.loss.toFixed(4)} acc ${(100 * test.accuracy).toFixed(2)}%`,
  );
  return { trainLoss: train.loss, trainAccuracy: train.accuracy, testLoss: test.loss, testAccuracy: test.accuracy };
}

/** Saves the last finite state (after `savedStep` steps) and returns the divergence to throw. */
async function diverged(loop: Loop, step: number, savedStep: number, what: string): Promise<RunDiverged> {
  await save(loop, savedStep);
  return new RunDiverged({ step, epoch: Math.floor((step - 1) / loop.stepsPerEpoch) + 1, what, savedStep });
}

/** Kernels refuse non-finite values: overflowing activations are the same divergence as a NaN loss. */
async function asDivergence(loop: Loop, step: number, savedStep: number, err: unknown): Promise<unknown> {
  return isNonFiniteError(err) ? diverged(loop, step, savedStep, `values (${err.message})`) : err;
}

/** Runs one step and logs it; a non-finite loss or parameter saves the last good state and throws. */
async function runStep(loop: Loop, step: number): Promise<number> {
  const { config, dataset } = loop;
  const epoch = Math.floor(step / loop.stepsPerEpoch);
  const order = epochPermutation(dataset.train.count, config.seed, epoch);
  const batch = gatherBatch(dataset.train, featureCount(dataset), order, step % loop.stepsPerEpoch, config.batch);
  if (config.augment === 'crop-flip') augmentBatch(batch, dataset.inputShape, config.seed, step);
  const lr = learningRateAt({ kind: config.schedule, baseLr: config.lr, totalSteps: loop.totalSteps }, step);
  const sigmaLr = learningRateAt(
    { kind: config.schedule, baseLr: config.sigmaLr ?? config.lr, totalSteps: loop.totalSteps },
    step,
  );
  const started = performance.now();
  const before = loop.runtime.deviceTransfers();
  const result = await loop.runtime.trainStep(batch, step, lr, sigmaLr).catch(async (err: unknown) => {
    throw await asDivergence(loop, step + 1, step, err);
  });
  const seconds = (performance.now() - started) / 1000;
  loop.wallSeconds += seconds;
  if (loop.profiled && loop.runtime.profile) {
    loop.profiled.steps++;
    loop.profiled.seconds += seconds;
    loop.profiled.moved = addTransfers(loop.profiled.moved, before, loop.runtime.deviceTransfers());
  }
  // The first step of an invocation compiles graphs and warms kernels up: profiling starts after it.
  if (loop.profiled && !loop.runtime.profile) loop.runtime.profile = new Map();
  loop.keptBytes = result.keptBytes;
  if (!Number.isFinite(result.meanLoss)) throw await diverged(loop, step + 1, step, `loss (${result.meanLoss})`);
  if (!loop.runtime.finite()) throw await diverged(loop, step + 1, step, 'parameters');
  const samplesPerSecond = config.batch / seconds;
  loop.metrics.append({
    kind: 'step',
    step: step + 1,
    epoch: epoch + 1,
    values: { loss: result.meanLoss, lr, samplesPerSecond, wallSeconds: loop.wallSeconds },
  });
  loop.progress.update({
    step: step + 1,
    totalSteps: loop.totalSteps,
    epoch: epoch + 1,
    loss: result.meanLoss,
    samplesPerSecond,
  });
  return result.meanLoss;
}

/** Runs the steps from startStep; returns the last epoch's metrics, or the step count where it stopped early. */
async function runSteps(
  loop: Loop,
  startStep: number,
  options: TrainOptions,
  interrupted: () => boolean,
): Promise<{ final?: TrainSummary['final']; stoppedAt?: number }> {
  let final: TrainSummary['final'] | undefined;
  // The curves start at step 0: the untrained network's loss and accuracy, before any update.
  if (startStep === 0) await endOfEpoch(loop, 0, 0);
  for (let step = startStep; step < loop.totalSteps; step++) {
    await runStep(loop, step);
    const done = step + 1;
    if (done % loop.stepsPerEpoch === 0) {
      final = await endOfEpoch(loop, done, done / loop.stepsPerEpoch).catch(async (err: unknown) => {
        throw await asDivergence(loop, done, done, err);
      });
    }
    if (done % loop.config.checkpointEvery === 0 || done % loop.stepsPerEpoch === 0 || done === loop.totalSteps)
      await save(loop, done);
    if (interrupted() || (options.stopAfterSteps !== undefined && done - startStep >= options.stopAfterSteps)) {
      await save(loop, done);
      return { stoppedAt: done };
    }
  }
  return { final };
}

/**
 * Each epoch runs whole batches only, so count mod batch samples sit out every epoch; where that is
 * a tenth of the data or more (Iris' 120 samples at --batch 64 use 64), it is said, with a batch that uses all.
 */
function warnDroppedSamples(loop: Loop): void {
  const count = loop.dataset.train.count;
  const dropped = count - loop.stepsPerEpoch * loop.config.batch;
  if (dropped < 0.1 * count) return;
  let whole = loop.config.batch;
  while (count % whole !== 0) whole -= 1;
  loop.progress.line(
    `alrflow: warning: --batch ${loop.config.batch} uses ${count - dropped} of the ${count} training samples per epoch (${dropped} sit out each epoch, a different ${dropped} each time); hint: --batch ${whole} uses them all`,
  );
}

/**
 * Runs (or resumes) a training run. A fresh run that fails before its first checkpoint (a refused
 * option found late, an infeasible mapping) removes what it wrote, so the corrected rerun is not refused.
 */
export async function train(config: TrainConfig, options: TrainOptions): Promise<TrainSummary> {
  const existedBefore = existsSync(options.outDir);
  const wrote = { runDir: false };
  try {
    return await trainRun(config, options, wrote);
  } catch (err) {
    if (wrote.runDir) removeFailedRun(options.outDir, existedBefore);
    throw err;
  }
}

async function trainRun(config: TrainConfig, options: TrainOptions, wrote: { runDir: boolean }): Promise<TrainSummary> {
  const { loop, startStep } = await setup(config, options, wrote);
  let interrupted = false;
  const onSignal = (): void => void (interrupted = true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let outcome: Awaited<ReturnType<typeof runSteps>>;
  try {
    outcome = await runSteps(loop, startStep, options, () => interrupted);
    if (outcome.stoppedAt === undefined) outcome.final ??= await endOfEpoch(loop, loop.totalSteps, loop.config.epochs);
  } catch (err) {
    if (!(err instanceof RunDiverged)) throw err;
    loop.progress.stop();
    await loop.runtime.dispose().catch(() => undefined);
    const summary: TrainSummary = { ...summaryBase(loop), status: 'diverged', divergence: err.divergence };
    writeTrainReport(runPaths(options.outDir).report, summary, loop.metrics.rows());
    return summary;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    loop.progress.stop();
  }
  if (outcome.stoppedAt !== undefined) {
    loop.progress.line(`stopped at step ${outcome.stoppedAt}/${loop.totalSteps}; continue with --resume`);
    await loop.runtime.dispose().catch(() => undefined);
    return { ...summaryBase(loop), status: 'stopped', stoppedAtStep: outcome.stoppedAt };
  }
  await loop.runtime.dispose().catch(() => undefined);
  const summary: TrainSummary = { ...summaryBase(loop), status: 'completed', final: outcome.final! };
  writeTrainReport(runPaths(options.outDir).report, summary, loop.metrics.rows());
  return summary;
}

function summaryBase(loop: Loop): Omit<TrainSummary, 'final' | 'status'> {
  const sigma = loop.runtime.sigma ? { sigma: loop.runtime.sigma.summary() } : {};
  const profile =
    loop.profiled && loop.runtime.profile
      ? stepProfile(loop.runtime.profile, loop.profiled.steps, loop.profiled.seconds, {
          start: loop.profiled.moved && NO_TRANSFERS,
          end: loop.profiled.moved,
        })
      : undefined;
  // Only where a device holds the step's tensors is residency a question (train --profile says why not).
  if (profile?.transfers) profile.residency = loop.runtime.residency();
  const transfer = loop.runtime.transfer();
  return {
    config: loop.config,
    classes: loop.dataset.classes,
    memory: {
      countBytes: loop.memory.countBytes,
      limitBytes: loop.memory.limitBytes,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    },
    backend: loop.runtime.backend,
    kernelBackends: loop.runtime.kernelBackends(),
    ...(transfer ? { transfer } : {}),
    wallSeconds: loop.wallSeconds,
    steps: loop.totalSteps,
    keptBytesPerStep: loop.keptBytes,
    ...sigma,
    ...(profile ? { profile } : {}),
  };
}

/** Epoch metrics of learned sigma: each layer's mean (sigma.<layer>) and the mean over every unit (sigma.mean). */
function sigmaValues(runtime: Runtime): Record<string, number> {
  if (!runtime.sigma) return {};
  const summary = runtime.sigma.summary();
  const all = Object.values(summary).flatMap((s) => s.values);
  const out: Record<string, number> = { 'sigma.mean': all.reduce((a, b) => a + b, 0) / all.length };
  for (const [layer, s] of Object.entries(summary)) out[`sigma.${layer}`] = s.mean;
  return out;
}

// bench:train: trains the same MLP (784-256-10) on MNIST with BP, LR and ALR at equal K, and ALR at
// the K whose kept bytes fit LR's, printing test accuracy, wall time, samples/s and bytes kept per
// step; then times one ALR training step on the `auto` backend against the same step written
// directly with TF.js ops (wasm) in the same process and prints the ratio. Not a test.
// Environment: BENCH_EPOCHS (default 5), BENCH_LIMIT (training samples, default all 60000),
// BENCH_TEST_LIMIT (default 10000), BENCH_BACKEND (default auto), BENCH_COPIES (default 64),
// BENCH_ONLY (all | train | step), BENCH_STEPS (timed steps + 1 warm-up, default 6),
// BENCH_RUNS (subset of bp,lr,alr,alr-mem; default all).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { KernelTable } from '../kernels/names.js';
import { loadTfjs } from '../kernels/tfjs/tfjs-runtime.js';
import { mlp } from '../src/models/builders.js';
import { epochPermutation, gatherBatch } from '../src/train/batches.js';
import { loadDataset } from '../src/train/datasets/load-dataset.js';
import { Runtime } from '../src/train/runtime/runtime.js';
import type { KeptBytes, MethodOptions } from '../src/train/runtime/step-types.js';
import { train } from '../src/train/train.js';
import { defaultTrainConfig, type TrainConfig } from '../src/train/train-config.js';
import type { TrainSummary } from '../src/train/train-report-file.js';
import { stepSource } from '../src/compiler/step-source.js';

const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const epochs = env('BENCH_EPOCHS', 5);
const limit = env('BENCH_LIMIT', 60000);
const testLimit = env('BENCH_TEST_LIMIT', 10000);
const copies = env('BENCH_COPIES', 64);
const backend = process.env.BENCH_BACKEND ?? 'auto';
const seed = env('BENCH_SEED', 1);
const batch = 64;
const widths = [784, 256, 10];
const silent = { update: () => undefined, line: (t: string) => console.log(`  ${t}`), stop: () => undefined };
const kept = (b: KeptBytes | undefined): number => (b ? Object.values(b).reduce((x, y) => x + y, 0) : 0);

function methodOptions(method: MethodOptions['method'], k: number): MethodOptions {
  return {
    method,
    copies: k,
    sigma: 0.1,
    baseline: 'mean',
    encoding: 'sign-noise',
    antithetic: false,
    layerwise: false,
  };
}

/** Kept bytes of one step (measured by the runtime on a real batch). */
async function keptBytesAt(method: MethodOptions['method'], k: number): Promise<number> {
  const ds = loadDataset('mnist', { limit: batch, testLimit: 1 });
  const runtime = await Runtime.create({
    network: stepSource(mlp(widths)),
    backend: 'reference',
    seed: 1,
    method: methodOptions(method, k),
    optimizer: { kind: 'sgd', momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  });
  const result = await runtime.gradients(gatherBatch(ds.train, 784, epochPermutation(batch, 1, 0), 0, batch), 0);
  return kept(result.keptBytes);
}

/** The largest ALR K whose kept bytes fit LR's at `copies` (kept bytes are affine in K: two measurements). */
async function alrCopiesAtLrMemory(): Promise<number> {
  const lrBytes = await keptBytesAt('lr', copies);
  const [a, b] = [await keptBytesAt('alr', 2), await keptBytesAt('alr', 4)];
  return Math.floor(2 + (lrBytes - a) / ((b - a) / 2));
}

async function run(method: TrainConfig['method'], k: number): Promise<TrainSummary> {
  console.log(`training ${method}${method === 'bp' ? '' : ` K=${k}`} ...`);
  const config: TrainConfig = {
    ...defaultTrainConfig,
    model: 'mlp',
    dataset: 'mnist',
    method,
    copies: k,
    batch,
    epochs,
    backend,
    seed,
    lr: 0.01,
    optimizer: 'sgd',
    schedule: 'cosine',
    limit,
    testLimit,
    checkpointEvery: 1000,
  };
  return train(config, {
    outDir: mkdtempSync(join(tmpdir(), `bench-train-${method}-`)),
    resume: false,
    force: true,
    progress: silent,
  });
}

interface StepTiming {
  alrflowMs: number;
  tfjsMs: number;
  backend: string;
  /** Median ms per step inside each kernel (the rest of the step is host work between kernels). */
  kernelMs: Record<string, number>;
}

/** Wraps every kernel of the runtime's table with a timer that adds into `spent` (ms per kernel name). */
function timeKernels(kernels: KernelTable, spent: Map<string, number>): void {
  for (const name of Object.keys(kernels)) {
    const inner = (kernels as Record<string, (a: unknown) => Promise<unknown>>)[name]!;
    (kernels as Record<string, unknown>)[name] = async (a: unknown) => {
      const t0 = performance.now();
      const out = await inner(a);
      spent.set(name, (spent.get(name) ?? 0) + performance.now() - t0);
      return out;
    };
  }
}

async function stepTimes(): Promise<StepTiming> {
  const steps = env('BENCH_STEPS', 6);
  const ds = loadDataset('mnist', { limit: batch * steps, testLimit: 1 });
  const batches = Array.from({ length: steps }, (_, i) =>
    gatherBatch(ds.train, 784, epochPermutation(ds.train.count, 1, 0), i, batch),
  );
  const runtime = await Runtime.create({
    network: stepSource(mlp(widths)),
    backend,
    seed: 1,
    method: methodOptions('alr', copies),
    optimizer: { kind: 'sgd', momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  });
  const spent = new Map<string, number>();
  timeKernels(runtime.resolved.kernels, spent);
  // The resident table is a second set of entry points (the same object when residency is off).
  if (runtime.resolved.device !== (runtime.resolved.kernels as unknown))
    timeKernels(runtime.resolved.device as unknown as KernelTable, spent);
  const tf = await loadTfjs();
  const tfStep = tfjsAlrStep(tf, { samples: batch, copies, widths, sigma: 0.1, lr: 0.01 });
  const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
  const mine: number[] = [];
  const theirs: number[] = [];
  const perStep: Map<string, number>[] = [];
  for (const [i, b] of batches.entries()) {
    spent.clear();
    let t0 = performance.now();
    await runtime.trainStep(b, i, 0.01);
    mine.push(performance.now() - t0);
    perStep.push(new Map(spent));
    t0 = performance.now();
    tfStep(Float32Array.from(b.x), b.labels);
    theirs.push(performance.now() - t0);
  }
  // The first step of each compiles kernels; drop it.
  const kernelMs = Object.fromEntries(
    [...perStep[0]!.keys()].map((k) => [k, median(perStep.slice(1).map((m) => m.get(k) ?? 0))]),
  );
  await runtime.dispose();
  return { alrflowMs: median(mine.slice(1)), tfjsMs: median(theirs.slice(1)), backend: runtime.backend, kernelMs };
}

function printStep(t: StepTiming): void {
  console.log(
    `\nALR step (K=${copies}, N=${batch}): alrflow on ${t.backend} ${t.alrflowMs.toFixed(1)} ms, TF.js wasm ops ${t.tfjsMs.toFixed(1)} ms; speed ratio alrflow/TF.js = ${(t.tfjsMs / t.alrflowMs).toFixed(3)}x`,
  );
  const inKernels = Object.values(t.kernelMs).reduce((x, y) => x + y, 0);
  const parts = Object.entries(t.kernelMs)
    .sort((p, q) => q[1] - p[1])
    .map(([k, ms]) => `${k} ${ms.toFixed(1)}`);
  console.log(
    `  inside kernels ${inKernels.toFixed(1)} ms (${((100 * inKernels) / t.alrflowMs).toFixed(0)}% of the step): ${parts.join(', ')}; host work between kernels ${(t.alrflowMs - inKernels).toFixed(1)} ms`,
  );
}

// BENCH_ONLY=step times the step alone (seconds); BENCH_ONLY=train skips the step timing.
const only = process.env.BENCH_ONLY ?? 'all';
if (only !== 'step') {
  const alrK = await alrCopiesAtLrMemory();
  // Rows print as each run finishes, so a long run that is stopped still leaves its finished rows.
  console.log(
    `bench:train  MNIST MLP ${widths.join('-')}, seed ${seed}, batch ${batch}, ${epochs} epoch(s) on ${limit} training samples, test on ${testLimit}, SGD 0.01 momentum 0.9 + cosine, sigma 0.1, mean baseline; ALR at LR's kept bytes: K=${alrK}`,
  );
  const header = `${'run'.padEnd(26)}${'backend'.padEnd(12)}${'test acc'.padStart(9)}${'wall s'.padStart(9)}${'samples/s'.padStart(11)}${'kept B/step'.padStart(13)}`;
  const runs = [
    ['BP', 'bp', 1],
    [`LR K=${copies}`, 'lr', copies],
    [`ALR K=${copies}`, 'alr', copies],
    [`ALR K=${alrK} (LR's memory)`, 'alr', alrK],
  ] as const;
  const wanted = process.env.BENCH_RUNS?.split(',');
  const lines: string[] = [];
  for (const [label, method, k] of runs.filter(
    (_, i) => !wanted || wanted.includes(['bp', 'lr', 'alr', 'alr-mem'][i]!),
  )) {
    const s = await run(method, k);
    const samplesPerSecond = (s.steps * batch) / s.wallSeconds;
    lines.push(
      `${label.padEnd(26)}${s.backend.padEnd(12)}${`${(100 * s.final!.testAccuracy).toFixed(2)}%`.padStart(9)}${s.wallSeconds.toFixed(1).padStart(9)}${samplesPerSecond.toFixed(0).padStart(11)}${String(kept(s.keptBytesPerStep)).padStart(13)}`,
    );
    console.log(`${header}\n${lines.join('\n')}`);
  }
}
if (only !== 'train') printStep(await stepTimes());

// The TF.js peer of one ALR step (same MLP, K copies in rows, mean baseline, scaled noise signs, one
// gradient product per layer, SGD momentum), for timing only: TF.js draws its own noise.
export interface TfjsStepShape {
  samples: number;
  copies: number;
  widths: number[];
  sigma: number;
  lr: number;
}

export function tfjsAlrStep(tf: typeof TfCore, shape: TfjsStepShape): (x: Float32Array, labels: Int32Array) => void {
  const { samples: N, copies: K, widths, sigma, lr } = shape;
  const weights = widths.slice(1).map((out, i) => tf.variable(tf.randomUniform([widths[i]!, out], -0.05, 0.05)));
  const biases = widths.slice(1).map((out) => tf.variable(tf.zeros([out])));
  const velocity = [...weights, ...biases].map((v) => tf.variable(tf.zerosLike(v)));
  const scale = Math.sqrt(Math.PI / 2) / (N * K * sigma);
  return (xData, labelData) => {
    tf.tidy(() => {
      const x = tf.tensor2d(xData, [N, widths[0]!]);
      const onehot = tf.oneHot(tf.tensor1d(labelData, 'int32'), widths.at(-1)!);
      const inputs: TfCore.Tensor2D[] = [];
      const signs: TfCore.Tensor2D[] = [];
      let a: TfCore.Tensor2D = x;
      weights.forEach((w, l) => {
        let z = tf.add(tf.matMul(a, w), biases[l]!) as TfCore.Tensor2D;
        if (l === 0) z = tf.reshape(tf.tile(tf.expandDims(z, 1), [1, K, 1]), [N * K, z.shape[1]]);
        const eps = tf.randomNormal(z.shape) as TfCore.Tensor2D;
        inputs.push(a);
        signs.push(tf.sign(eps) as TfCore.Tensor2D);
        z = tf.add(z, tf.mul(eps, sigma)) as TfCore.Tensor2D;
        a = l < weights.length - 1 ? tf.relu(z) : z;
      });
      const labels = tf.reshape(tf.tile(tf.expandDims(onehot, 1), [1, K, 1]), [N * K, widths.at(-1)!]);
      const loss = tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(a)), 1));
      const perSample = tf.reshape(loss, [N, K]);
      const shaped = tf.reshape(tf.sub(perSample, tf.mean(perSample, 1, true)), [N * K, 1]);
      weights.forEach((w, l) => {
        let delta = tf.mul(signs[l]!, shaped) as TfCore.Tensor2D;
        if (l === 0) delta = tf.sum(tf.reshape(delta, [N, K, delta.shape[1]]), 1) as TfCore.Tensor2D;
        // An explicit transpose: TF.js wasm's matMul with transposeA set is far slower (measured here: the
        // whole step 193 ms with the flag, 163 ms with tf.transpose), and the peer must be its best self.
        const gw = tf.mul(tf.matMul(tf.transpose(inputs[l]!), delta), scale);
        const gb = tf.mul(tf.sum(delta, 0), scale);
        [
          [w, gw, velocity[l]!],
          [biases[l]!, gb, velocity[weights.length + l]!],
        ].forEach(([p, g, v]) => {
          (v as TfCore.Variable).assign(tf.add(tf.mul(v as TfCore.Tensor, 0.9), g as TfCore.Tensor));
          (p as TfCore.Variable).assign(tf.sub(p as TfCore.Tensor, tf.mul(v as TfCore.Tensor, lr)));
        });
      });
    });
  };
}

// Prediction benchmark (npm run bench:predict): does `simulate --hw host.json` predict what the
// runtime measures on this machine? In one run: calibrate this machine (hw calibrate's measure + fit,
// printing the fit per op class, or BENCH_HW=FILE), then for the MNIST MLP 784-256-10 (N = 64,
// K = 64) and the MNIST CNN (N = 32, K = 16) under BP, LR, ALR and ALR with learned sigma: time training steps on the runtime
// with per-node profiling (two warm-up steps, then BENCH_STEPS, default 8), simulate the same
// (network, method, K, batch) under the sequential schedule on the calibrated model, and print
// predicted vs measured step time and the ten largest measured nodes side by side, as ratios
// (predicted / measured; the target is 0.67-1.5 for the ALR steps). Calibration fits its op costs
// to the median of its probe steps, so the measured side is the median step, and per node its
// median: the typical steady-state step a training run takes. BENCH_BACKEND (default tfjs-wasm),
// BENCH_ONLY=mlp|cnn. Not a test: the numbers depend on the machine and its load.
import { readFileSync } from 'node:fs';
import { simulate } from '../sim/simulate.js';
import { compile } from '../src/compiler/compile.js';
import { parseHwData } from '../src/hw/load.js';
import type { HwModel } from '../src/hw/types.js';
import { learnedSigmaSwitches } from '../src/ir/method-rules.js';
import type { Method } from '../src/compiler/methods/names.js';
import { buildModel } from '../src/models/registry.js';
import { simPrediction } from '../src/report/sim-prediction.js';
import { epochPermutation, gatherBatch } from '../src/train/batches.js';
import { fitHostModel } from '../src/train/calibrate/fit-host-model.js';
import { measureHost } from '../src/train/calibrate/measure-host.js';
import { timeStep } from '../src/train/calibrate/measure-steps.js';
import { loadDataset } from '../src/train/datasets/load-dataset.js';
import { featureCount } from '../src/train/datasets/types.js';
import { stepSource } from '../src/compiler/step-source.js';

const backend = process.env['BENCH_BACKEND'] ?? 'tfjs-wasm';
const steps = Number(process.env['BENCH_STEPS'] ?? 8);
const warmups = 2;
const only = process.env['BENCH_ONLY'];
const cases = [
  { model: 'mlp', batch: 64, copies: 64 },
  { model: 'cnn', batch: 32, copies: 16 },
].filter((c) => only === undefined || c.model === only);
const variants: { method: Method; learnSigma?: boolean }[] = [
  { method: 'bp' },
  { method: 'lr' },
  { method: 'alr' },
  { method: 'alr', learnSigma: true },
];

const ms = (s: number | undefined): string => (s === undefined ? '-' : (1000 * s).toFixed(2)).padStart(10);
const ratio = (p: number | undefined, m: number | undefined): string =>
  (p === undefined || m === undefined ? '-' : (p / m).toFixed(2)).padStart(7);

async function hostModel(): Promise<HwModel> {
  const file = process.env['BENCH_HW'];
  const fit = file ? undefined : fitHostModel(await measureHost(backend), 'host', new Date());
  for (const c of fit?.classes ?? []) {
    process.stdout.write(
      `fit ${c.op.padEnd(24)}${String(c.nodes).padStart(4)} probe nodes: measured ${ms(c.measuredSeconds)} ms, model ${ms(c.predictedSeconds)} ms\n`,
    );
  }
  const parsed = parseHwData(fit?.file ?? JSON.parse(readFileSync(file!, 'utf8')), file ?? 'calibrated host');
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  process.stdout.write(`host model: ${parsed.model.description}\n`);
  return parsed.model;
}

async function measured(
  model: string,
  method: Method,
  batch: number,
  copies: number,
  learnSigma: boolean,
): Promise<{ seconds: number; nodes: Map<string, number>; ran: string }> {
  const ds = loadDataset('mnist', { limit: batch * (warmups + steps), testLimit: 1 });
  const order = epochPermutation(ds.train.count, 1, 0);
  const network = buildModel(model, { inputShape: ds.inputShape, classes: ds.classes });
  const batchOf = (s: number) => gatherBatch(ds.train, featureCount(ds), order, s, batch);
  const timing = await timeStep(
    { name: model, network: stepSource(network), method, batch, copies, learnSigma },
    backend,
    {
      warmups,
      timed: steps,
      batchOf,
    },
  );
  return {
    seconds: timing.seconds,
    nodes: new Map(timing.nodes.map((n) => [n.node.id, n.seconds])),
    ran: timing.backend,
  };
}

function predicted(
  model: string,
  method: Method,
  batch: number,
  copies: number,
  learnSigma: boolean,
  hw: HwModel,
): ReturnType<typeof simPrediction> {
  const network = buildModel(model, { inputShape: model === 'mlp' ? [784] : [1, 28, 28], classes: 10 });
  const step = compile(network, hw, {
    method,
    copies,
    batch,
    schedule: 'sequential',
    ...learnedSigmaSwitches(learnSigma),
  });
  return simPrediction(simulate(step, { iterations: 2, model }));
}

async function main(): Promise<void> {
  const hw = await hostModel();
  const summary: string[] = [];
  for (const c of cases) {
    for (const { method, learnSigma = false } of variants) {
      const real = await measured(c.model, method, c.batch, c.copies, learnSigma);
      const sim = predicted(c.model, method, c.batch, c.copies, learnSigma, hw);
      const label = `${c.model} ${method}${learnSigma ? ' learned sigma' : ''}${method === 'bp' ? '' : ` K=${c.copies}`} N=${c.batch} on ${real.ran}`;
      const line = `${label}: predicted ${ms(sim.secondsPerIteration).trim()} ms, measured ${ms(real.seconds).trim()} ms, ratio ${ratio(sim.secondsPerIteration, real.seconds).trim()}`;
      summary.push(line);
      process.stdout.write(`\n${line}\n`);
      process.stdout.write(
        `  ${'node'.padEnd(28)}${'measured'.padStart(10)}${'predicted'.padStart(10)}${'ratio'.padStart(7)}\n`,
      );
      const simNodes = new Map(sim.nodes.map((n) => [n.id, n.seconds]));
      for (const [id, s] of [...real.nodes].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
        process.stdout.write(`  ${id.padEnd(28)}${ms(s)}${ms(simNodes.get(id))}${ratio(simNodes.get(id), s)}\n`);
      }
    }
  }
  process.stdout.write(`\nsummary (target for the ALR steps: ratio 0.67-1.5)\n${summary.join('\n')}\n`);
}

await main();

// Residency benchmark (run: npx tsx bench/resident.bench.ts): in one run, the training step
// (default ALR on the MNIST MLP 784-256-10, N = 64, K = 64, SGD momentum) on a resident backend (default tfjs-wasm)
// with tensors kept on the device between kernels (the runtime's `resident` option) against the same
// step with every kernel on host arrays, steps interleaved so both see the same machine load; then
// the host step's transfer share (bench/step-transfer.ts: its recorded kernel calls replayed, and
// the same uploads and readbacks alone). Environment: BENCH_BACKEND (default tfjs-wasm),
// BENCH_STEPS (timed steps per setting after one warm-up, default 10), BENCH_MODEL (mlp, or cnn: the
// MNIST CNN), BENCH_METHOD (default alr), BENCH_BATCH (default 64), BENCH_COPIES (K, default 64).
// It prints steps/s of both settings and the machine's load average (the runs share its cores). bench:train's step timing
// takes ALRFLOW_RESIDENT=off to time the non-resident step against TF.js ops. Not a test.
import { openBackend } from '../kernels/registry.js';
import { cpus, loadavg } from 'node:os';
import { cnn, mlp } from '../src/models/builders.js';
import { epochPermutation, gatherBatch } from '../src/train/batches.js';
import { loadDataset } from '../src/train/datasets/load-dataset.js';
import { Runtime } from '../src/train/runtime/runtime.js';
import { recordAlrStep, transferShare } from './step-transfer.js';
import { stepSource } from '../src/compiler/step-source.js';

const backend = process.env['BENCH_BACKEND'] ?? 'tfjs-wasm';
const steps = Number(process.env['BENCH_STEPS'] ?? 10);
const batch = Number(process.env['BENCH_BATCH'] ?? 64);
const copies = Number(process.env['BENCH_COPIES'] ?? 64);
const method = (process.env['BENCH_METHOD'] ?? 'alr') as 'alr';
const model = process.env['BENCH_MODEL'] ?? 'mlp';
if (model !== 'mlp' && model !== 'cnn') throw new Error(`BENCH_MODEL = ${model}; allowed: mlp, cnn`);
const network = () => (model === 'cnn' ? cnn({ inputShape: [1, 28, 28], classes: 10 }) : mlp([784, 256, 10]));
const label = `${method.toUpperCase()} step (${model === 'cnn' ? 'MNIST CNN' : 'MLP 784-256-10'}, N=${batch}, K=${copies})`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function stepTimes(): Promise<{
  onMs: number;
  offMs: number;
  ran: string;
  resident: boolean;
  handlesPerStep: number;
}> {
  const ds = loadDataset('mnist', { limit: batch * (steps + 1), testLimit: 1 });
  const order = epochPermutation(ds.train.count, 1, 0);
  const batches = Array.from({ length: steps + 1 }, (_, i) => gatherBatch(ds.train, 784, order, i, batch));
  const make = (resident: boolean): Promise<Runtime> =>
    Runtime.create({
      network: stepSource(network()),
      backend,
      seed: 1,
      resident,
      method: {
        method,
        copies,
        sigma: 0.1,
        baseline: 'mean',
        encoding: 'sign-noise',
        antithetic: false,
        layerwise: false,
      },
      optimizer: { kind: 'sgd', momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    });
  const on = await make(true);
  const off = await make(false);
  // Counts the handles a resident step creates (they are disposed at its end), by wrapping the release.
  let handles = 0;
  const release = on.resolved.releaseHandles.bind(on.resolved);
  on.resolved.releaseHandles = () => {
    const n = release();
    handles += n;
    return n;
  };
  const times = { on: [] as number[], off: [] as number[] };
  for (const [i, b] of batches.entries()) {
    // Alternate which setting runs first, so neither always inherits the other's cache state.
    const order2 = i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    for (const which of order2) {
      const t0 = performance.now();
      await (which === 'on' ? on : off).trainStep(b, i, 0.01);
      if (i > 0) times[which].push(performance.now() - t0);
    }
  }
  const result = {
    onMs: median(times.on),
    offMs: median(times.off),
    ran: on.backend,
    resident: on.resolved.resident,
    handlesPerStep: handles / batches.length,
  };
  await on.dispose();
  await off.dispose();
  return result;
}

const loadBefore = loadavg()[0]!;
const t = await stepTimes();
console.log(
  `${label} on ${t.ran}, median of ${steps} steps; load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after (${cpus().length} cores):`,
);
console.log(
  `  residency on  ${t.onMs.toFixed(1)} ms = ${(1000 / t.onMs).toFixed(2)} steps/s  (${t.resident ? `${t.handlesPerStep.toFixed(0)} device handles per step` : 'no handles: this backend keeps nothing on a device'})`,
);
console.log(`  residency off ${t.offMs.toFixed(1)} ms = ${(1000 / t.offMs).toFixed(2)} steps/s`);
console.log(
  `  on/off speed ratio ${(t.offMs / t.onMs).toFixed(3)}x; time saved ${(t.offMs - t.onMs).toFixed(1)} ms per step (${((100 * (t.offMs - t.onMs)) / t.offMs).toFixed(1)}% of the host step)`,
);

const parsed = backend === 'auto' ? null : backend;
if (model === 'mlp' && (parsed === 'tfjs-wasm' || parsed === 'webasm' || parsed === 'cpu')) {
  const calls = await recordAlrStep();
  const runner = await openBackend(parsed);
  const share = await transferShare(parsed, runner, calls);
  await runner.dispose();
  if (share)
    console.log(
      `  host step replayed on ${parsed}: ${(share.stepSeconds * 1000).toFixed(1)} ms, uploads + readbacks alone ${(share.transferSeconds * 1000).toFixed(1)} ms = ${((100 * share.transferSeconds) / share.stepSeconds).toFixed(1)}% transfer share (largest: ${share.top.join(', ')})`,
    );
}

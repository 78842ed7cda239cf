// Residency benchmark (run: npx tsx bench/resident.bench.ts): in one run, the ALR training step
// (MNIST MLP 784-256-10, N = 64, K = 64, SGD momentum) on a resident backend (default tfjs-wasm)
// with tensors kept on the device between kernels (the runtime's `resident` option) against the same
// step with every kernel on host arrays, steps interleaved so both see the same machine load; then
// the host step's transfer share (bench/step-transfer.ts: its recorded kernel calls replayed, and
// the same uploads and readbacks alone). Environment: BENCH_BACKEND (default tfjs-wasm),
// BENCH_STEPS (timed steps per setting after one warm-up, default 10). bench:train's step timing
// takes ALRFLOW_RESIDENT=off to time the non-resident step against TF.js ops. Not a test.
import { openBackend } from '../kernels/registry.js';
import { mlp } from '../src/models/builders.js';
import { epochPermutation, gatherBatch } from '../src/train/batches.js';
import { loadDataset } from '../src/train/datasets/load-dataset.js';
import { Runtime } from '../src/train/runtime/runtime.js';
import { recordAlrStep, transferShare } from './step-transfer.js';
import { stepSource } from '../src/compiler/step-source.js';

const backend = process.env['BENCH_BACKEND'] ?? 'tfjs-wasm';
const steps = Number(process.env['BENCH_STEPS'] ?? 10);
const batch = 64;
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
      network: stepSource(mlp([784, 256, 10])),
      backend,
      seed: 1,
      resident,
      method: {
        method: 'alr',
        copies: 64,
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

const t = await stepTimes();
console.log(`ALR step (MLP 784-256-10, N=${batch}, K=64) on ${t.ran}, median of ${steps} steps:`);
console.log(
  `  residency on  ${t.onMs.toFixed(1)} ms  (${t.resident ? `${t.handlesPerStep.toFixed(0)} device handles per step` : 'no handles: this backend keeps nothing on a device'})`,
);
console.log(`  residency off ${t.offMs.toFixed(1)} ms`);
console.log(
  `  on/off speed ratio ${(t.offMs / t.onMs).toFixed(3)}x; time saved ${(t.offMs - t.onMs).toFixed(1)} ms per step (${((100 * (t.offMs - t.onMs)) / t.offMs).toFixed(1)}% of the host step)`,
);

const parsed = backend === 'auto' ? null : backend;
if (parsed === 'tfjs-wasm' || parsed === 'webasm' || parsed === 'cpu') {
  const calls = await recordAlrStep();
  const runner = await openBackend(parsed);
  const share = await transferShare(parsed, runner, calls);
  await runner.dispose();
  if (share)
    console.log(
      `  host step replayed on ${parsed}: ${(share.stepSeconds * 1000).toFixed(1)} ms, uploads + readbacks alone ${(share.transferSeconds * 1000).toFixed(1)} ms = ${((100 * share.transferSeconds) / share.stepSeconds).toFixed(1)}% transfer share (largest: ${share.top.join(', ')})`,
    );
}

// Part of bench:kernels (not a benchmark on its own): the host<->device transfer share of one ALR
// training step (MNIST MLP 784-256-10, N = 64, K = 64) on each kernel backend. The kernel calls of
// a real step are recorded once (the runtime on tfjs-wasm), then replayed on every backend: the
// replay time per kernel, and the time of the same uploads and readbacks alone (every array
// argument uploaded, every result read back, with no arithmetic) on that backend. Kernels a backend
// runs on the host (hostKernels) move nothing. The step is recorded with residency off (every kernel
// call on host arrays, so the replay moves what a non-resident step moves); bench/resident.bench.ts
// times the step with residency on against off. Not a test.
import type { BackendName } from '../kernels/backends.js';
import { GpujsContext, type ThreadThis, type Flat } from '../kernels/gpujs/gpujs-context.js';
import type { KernelArgs, KernelName } from '../kernels/names.js';
import type { KernelRunner } from '../kernels/registry.js';
import { TFJS_HOST_KERNELS } from '../kernels/tfjs/tfjs-table.js';
import { GPUJS_HOST_KERNELS } from '../kernels/gpujs/noise-inject.js';
import { loadTfjs } from '../kernels/tfjs/tfjs-runtime.js';
import { mlp } from '../src/models/builders.js';
import { epochPermutation, gatherBatch } from '../src/train/batches.js';
import { loadDataset } from '../src/train/datasets/load-dataset.js';
import { Runtime } from '../src/train/runtime/runtime.js';
import { stepSource } from '../src/compiler/step-source.js';

type Call = { name: KernelName; args: unknown; outLengths: number[] };
type Arrayish = Float32Array | Float64Array | Int32Array | Uint32Array;

const isArray = (v: unknown): v is Arrayish =>
  v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array || v instanceof Uint32Array;
const arraysOf = (v: unknown): Arrayish[] =>
  isArray(v) ? [v] : v && typeof v === 'object' ? Object.values(v).filter(isArray) : [];

/** The kernel calls (with their arguments and result sizes) of the second ALR step of a fresh run. */
export async function recordAlrStep(): Promise<Call[]> {
  const batch = 64;
  const ds = loadDataset('mnist', { limit: batch * 2, testLimit: 1 });
  const runtime = await Runtime.create({
    network: stepSource(mlp([784, 256, 10])),
    backend: 'tfjs-wasm',
    seed: 1,
    resident: false,
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
  const calls: Call[] = [];
  const kernels = runtime.resolved.kernels as Record<string, (a: unknown) => Promise<unknown>>;
  for (const [name, inner] of Object.entries(kernels)) {
    kernels[name] = async (args: unknown) => {
      const out = await inner(args);
      calls.push({ name: name as KernelName, args, outLengths: arraysOf(out).map((a) => a.length) });
      return out;
    };
  }
  for (let step = 0; step < 2; step++) {
    calls.length = 0;
    await runtime.trainStep(gatherBatch(ds.train, 784, epochPermutation(batch * 2, 1, 0), step, batch), step, 0.01);
  }
  await runtime.dispose();
  return calls;
}

/** Seconds to upload `inputs` and read back arrays of `outLengths` on a backend, without arithmetic. */
type MoveTimer = (inputs: Arrayish[], outLengths: number[]) => Promise<number>;

async function tfjsMover(): Promise<MoveTimer> {
  const tf = await loadTfjs();
  return async (inputs, outLengths) => {
    const t0 = performance.now();
    for (const a of inputs)
      tf.tensor1d(a instanceof Float32Array || a instanceof Int32Array ? a : Float32Array.from(a)).dispose();
    for (const n of outLengths) {
      const t = tf.zeros([n]);
      t.dataSync();
      t.dispose();
    }
    return (performance.now() - t0) / 1000;
  };
}

function gpujsMover(mode: 'webasm' | 'cpu'): { mover: MoveTimer; destroy: () => Promise<void> } {
  const ctx = new GpujsContext(mode);
  const first = function (this: ThreadThis, a: Flat): number {
    return a[this.thread.x]!;
  };
  const mover: MoveTimer = async (inputs, outLengths) => {
    const t0 = performance.now();
    // gpu.js fixes argument sizes per compiled kernel, so the kernel name carries the size.
    for (const a of inputs)
      await ctx.call(
        ctx.kernel(`upload-${a.length}`, first, { output: [1], constants: {} }),
        a instanceof Float32Array ? a : Float32Array.from(a),
      );
    for (const n of outLengths)
      await ctx.call(ctx.kernel(`readback-${n}`, first, { output: [n], constants: {} }), Float32Array.of(0));
    return (performance.now() - t0) / 1000;
  };
  return { mover, destroy: () => ctx.destroy() };
}

export interface TransferShare {
  backend: BackendName;
  stepSeconds: number;
  transferSeconds: number;
  /** The kernels with the largest transfer time, "name ms". */
  top: string[];
}

/** Replays the recorded step on `runner` (median of 3 after a warm-up) and times its transfers alone. */
export async function transferShare(
  backend: BackendName,
  runner: KernelRunner,
  calls: Call[],
): Promise<TransferShare | null> {
  const host: ReadonlySet<KernelName> =
    backend === 'tfjs-wasm'
      ? TFJS_HOST_KERNELS
      : backend === 'webasm' || backend === 'cpu'
        ? GPUJS_HOST_KERNELS
        : new Set();
  const gpujs = backend === 'webasm' || backend === 'cpu' ? gpujsMover(backend) : null;
  const mover = backend === 'tfjs-wasm' ? await tfjsMover() : gpujs?.mover;
  if (!mover) return null;
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const step: number[] = [];
  const moved: number[] = [];
  const perKernel = new Map<string, number>();
  for (let round = 0; round < 4; round++) {
    let t0 = performance.now();
    for (const c of calls) await runner.run(c.name, c.args as KernelArgs[typeof c.name]);
    step.push((performance.now() - t0) / 1000);
    t0 = performance.now();
    for (const c of calls) {
      if (host.has(c.name)) continue;
      const s = await mover(arraysOf(c.args), c.outLengths);
      if (round === 3) perKernel.set(c.name, (perKernel.get(c.name) ?? 0) + s);
    }
    moved.push((performance.now() - t0) / 1000);
  }
  await gpujs?.destroy();
  const top = [...perKernel]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, s]) => `${k} ${(s * 1000).toFixed(1)} ms`);
  return { backend, stepSeconds: median(step.slice(1)), transferSeconds: median(moved.slice(1)), top };
}

// What `alrflow hw calibrate` measures on this machine, through the kernel registry of one backend
// (the kernels training runs): matmul time per shape class, elementwise kernels (the vector work of
// the IR), the fixed cost of a kernel call (launch overhead), host memory bandwidth (a typed-array
// copy), the thread count, and probe training steps timed per graph node (measure-steps.ts). Each
// kernel timing is the fastest of several calls after warm-up calls (the bare rates the formulas are
// fitted to); the probe steps keep medians. It measures; fitting the hardware model to the numbers
// is fit-host-model.ts.
import type { KernelTable } from '../../../kernels/names.js';
import { tfjsThreads } from '../../../kernels/tfjs/tfjs-worker-pool.js';
import type { IrNode, Work } from '../../ir/types.js';
import { workOf } from '../../ir/work-of.js';
import { resolveKernels } from '../runtime/resolve-kernels.js';
import { probeSteps, timeStep, type StepTiming } from './measure-steps.js';
import { methodOf } from '../../compiler/methods/registry.js';
import { usesCopies } from '../../compiler/methods/rules.js';

export interface KernelTiming {
  name: string;
  work: Work;
  /** Bytes the kernel reads and writes (float32 words). */
  bytes: number;
  seconds: number;
}

export interface HostMeasurements {
  backend: string;
  /** Threads the backend's kernels run on (tfjs-wasm splits large calls over its worker pool). */
  threads: number;
  launchSeconds: number;
  bandwidthBytesPerSecond: number;
  gemm: KernelTiming[];
  vector: KernelTiming[];
  /** Probe training steps with per-node times (measure-steps.ts). */
  steps: StepTiming[];
}

interface Probe {
  name: string;
  /** The IR node whose work the call does (workOf gives the simulator's view of it). */
  node: IrNode;
  bytes: number;
  run: (k: KernelTable) => Promise<unknown>;
}

const filled = (n: number, f = (i: number) => Math.sin(i)): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => f(i));
const base = { id: 'probe', inputs: [], outputs: [], phase: 'forward' as const };

function gemmProbe(m: number, k: number, n: number): Probe {
  const a = filled(m * k);
  const b = filled(k * n, (i) => Math.cos(i));
  return {
    name: `matmul ${m}x${k}x${n}`,
    node: { ...base, kind: 'MatMul', m, n, k, groups: 1 },
    bytes: 4 * (m * k + k * n + m * n),
    run: (t) => t.matmul({ a, b, m, k, n }),
  };
}

function vectorProbes(rows: number, units: number): Probe[] {
  const elements = rows * units;
  const z = filled(elements);
  const sigma = new Float32Array(units).fill(0.1);
  const bias = filled(units);
  const logits = filled(rows * 10);
  const labels = Int32Array.from({ length: rows }, (_, i) => i % 10);
  const w = filled(elements / 4);
  const noise = { seed: 1, step: 0, layer: 0, rowOffset: 0, rows, channels: units, spatial: 1 };
  return [
    {
      name: `noise-inject-signs ${rows}x${units}`,
      node: { ...base, kind: 'NoiseInject', elements, storage: 'sign-bits' },
      bytes: 8 * elements,
      run: (t) => t['noise-inject-signs']({ z, sigma, ...noise }),
    },
    {
      name: `bias-activation relu ${rows}x${units}`,
      node: { ...base, kind: 'BiasAct', act: 'relu', elements },
      bytes: 8 * elements,
      run: (t) => t['bias-activation']({ z, bias, rows, channels: units, spatial: 1, activation: 'relu' }),
    },
    {
      name: `sign-pack ${elements}`,
      node: { ...base, kind: 'SignPack', elements },
      bytes: 4 * elements + elements / 8,
      run: (t) => t['sign-pack']({ values: z }),
    },
    {
      name: `softmax-cross-entropy ${rows}x10`,
      node: { ...base, kind: 'Loss', rows, classes: 10 },
      bytes: 4 * (rows * 10 + 2 * rows),
      run: (t) => t['softmax-cross-entropy']({ logits, labels, rows, classes: 10 }),
    },
    {
      name: `sgd-update ${w.length}`,
      node: { ...base, kind: 'OptimizerUpdate', elements: w.length, optimizer: 'sgd' },
      bytes: 4 * 5 * w.length,
      run: (t) => t['sgd-update']({ w, g: w, v: w, lr: 0.01, momentum: 0.9 }),
    },
  ];
}

async function fastestSeconds(run: () => Promise<unknown>, warmups: number, calls: number): Promise<number> {
  for (let i = 0; i < warmups; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await run();
    times.push((performance.now() - started) / 1000);
  }
  return Math.min(...times);
}

/** Bytes read plus bytes written per second by a copy of a buffer far larger than the caches. */
function copyBandwidth(): Promise<number> {
  const from = new Float32Array(8 << 20);
  const to = new Float32Array(from.length);
  return fastestSeconds(async () => to.set(from), 2, 7).then((s) => (2 * from.byteLength) / s);
}

async function timeProbe(kernels: KernelTable, p: Probe): Promise<KernelTiming> {
  return {
    name: p.name,
    work: workOf(p.node),
    bytes: p.bytes,
    seconds: await fastestSeconds(() => p.run(kernels), 3, 7),
  };
}

/** `progress` hears of each probe training step before it runs (they take most of the time). */
export async function measureHost(backend: string, progress?: (line: string) => void): Promise<HostMeasurements> {
  const resolved = await resolveKernels(backend, false);
  let kernelsMeasured: Omit<HostMeasurements, 'steps'>;
  try {
    const k = resolved.kernels;
    const one = Float32Array.of(1);
    const launchSeconds = await fastestSeconds(() => k.add({ a: one, b: one }), 5, 31);
    const gemm = [];
    for (const [m, kk, n] of [
      [64, 784, 256],
      [4096, 256, 10],
      [256, 64, 785],
      [512, 512, 512],
      [1024, 288, 64],
    ] as const)
      gemm.push(await timeProbe(k, gemmProbe(m, kk, n)));
    const vector = [];
    for (const p of vectorProbes(4096, 256)) vector.push(await timeProbe(k, p));
    const threads = resolved.backend === 'tfjs-wasm' ? tfjsThreads() : 1;
    kernelsMeasured = {
      backend: resolved.backend,
      threads,
      launchSeconds,
      bandwidthBytesPerSecond: await copyBandwidth(),
      gemm,
      vector,
    };
  } finally {
    await resolved.dispose();
  }
  const steps = [];
  const probes = probeSteps();
  for (const [i, probe] of probes.entries()) {
    progress?.(
      `probe training step ${i + 1}/${probes.length}: ${probe.name}, N=${probe.batch}${usesCopies(methodOf(probe.method)) ? ` K=${probe.copies}` : ''}`,
    );
    steps.push(await timeStep(probe, kernelsMeasured.backend));
  }
  return { ...kernelsMeasured, steps };
}

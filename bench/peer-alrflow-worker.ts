// The alrflow side of bench:peer: times training steps on the runtime and answers JSON lines, the
// same protocol as bench/peer_torch.py: a request {"net", "method", "n", "k", "steps"} per stdin
// line, a reply {"ms": [...], "cpu": [...], "backend"} per stdout line (cpu: the process's CPU milliseconds per
// step, all its threads). Threads come from ALRFLOW_TFJS_THREADS,
// which the bench sets before this process starts. Inputs are uniform in [-1, 1] (a step's cost does
// not depend on the values). Backend: BENCH_BACKEND (default tfjs-wasm, the CPU default). Not a test.
import { createInterface } from 'node:readline';
import type { Method } from '../src/compiler/methods/names.js';
import { buildModel } from '../src/models/registry.js';
import { Runtime } from '../src/train/runtime/runtime.js';
import type { Batch } from '../src/train/runtime/step-types.js';
import { stepSource } from '../src/compiler/step-source.js';
import { detectBackend } from '../kernels/backends.js';
import { tuneGcForTraining } from '../src/cli/train-gc.js';

// The heap setting `alrflow train` runs with (src/cli/train-gc.ts), so the steps timed are the CLI's.
tuneGcForTraining();

interface Request {
  net: 'mlp' | 'resnet5';
  method: Method;
  n: number;
  k: number;
  steps: number;
}

const runtimes = new Map<string, { runtime: Runtime; batch: Batch; step: number }>();

async function prepare(req: Request) {
  const key = `${req.net}/${req.method}/${req.n}/${req.k}`;
  const hit = runtimes.get(key);
  if (hit) return hit;
  const inputShape = req.net === 'mlp' ? [784] : [3, 32, 32];
  const network = buildModel(req.net, { inputShape, classes: 10, hidden: [256] });
  const runtime = await Runtime.create({
    network: stepSource(network),
    backend: process.env.BENCH_BACKEND ?? 'tfjs-wasm',
    seed: 1,
    method: {
      method: req.method,
      copies: req.k,
      sigma: 0.1,
      baseline: 'mean',
      encoding: 'sign-noise',
      antithetic: false,
      layerwise: false,
    },
    optimizer: { kind: 'sgd', momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  });
  const width = inputShape.reduce((a, b) => a * b, 1);
  let state = 12345;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 30 - 1;
  const batch: Batch = {
    x: Float64Array.from({ length: req.n * width }, next),
    labels: Int32Array.from({ length: req.n }, (_, i) => i % 10),
    samples: req.n,
  };
  const entry = { runtime, batch, step: 0 };
  runtimes.set(key, entry);
  return entry;
}

async function serve(line: string): Promise<string> {
  const req = JSON.parse(line) as Request;
  const entry = await prepare(req);
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < req.steps; i++) {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    await entry.runtime.trainStep(entry.batch, entry.step++, 0.01);
    const used = process.cpuUsage(cpuStart);
    ms.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  return JSON.stringify({ ms, cpu, backend: await backendLabel(entry.runtime.backend) });
}

/** The backend that ran, and where its matrix products and convolutions ran when that is onnxruntime (tfjs-wasm's engine string says). */
async function backendLabel(backend: string): Promise<string> {
  if (backend !== 'tfjs-wasm') return backend;
  const { engine } = await detectBackend(backend);
  const ort = /onnxruntime-node (\S+) MLAS/.exec(engine);
  return ort ? `${backend}, products and convolutions on onnxruntime ${ort[1]} MLAS` : backend;
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  process.stdout.write(`${await serve(line)}\n`);
}
for (const { runtime } of runtimes.values()) await runtime.dispose();

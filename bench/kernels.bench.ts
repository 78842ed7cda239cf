// `npm run bench:kernels`: GFLOP/s of every working kernel backend and of TensorFlow.js's wasm
// backend (the peer, measured in the same run on the same inputs) on matmul 256..1024, the distinct
// conv layers of ResNet-9 at a small batch, and the ALR gradient product at K = 64; prints each
// backend's ratio to TF.js and its fraction of this machine's estimated peak. Not a test.
// Threads: alrflow's tfjs-wasm backend splits large calls over one TF.js wasm instance per core
// (kernels/tfjs/tfjs-worker-pool.ts; ALRFLOW_TFJS_THREADS=1 turns that off); the peer is TF.js wasm
// in its default Node configuration, which runs ONE thread. The header says how many each used.
// Then noise-inject draws/s, and the host<->device transfer share of an ALR training step per
// backend (bench/step-transfer.ts).
// Options: --backends a,b (subset), --sizes 256,512 (matmul sizes), --batch N (conv batch), --no-step,
// --step-only (only the transfer share), --rounds N (timed rounds per case, default 5),
// --split-thresholds (only: unsplit vs split tfjs-wasm time on small matmuls and noise calls, the
// measurement behind kernels/tfjs/tfjs-split.ts's SPLIT_POLICY).
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { type BackendName, detectAll } from '../kernels/backends.js';
import type { KernelArgs } from '../kernels/names.js';
import { chooseAuto, type KernelRunner, openBackend } from '../kernels/registry.js';
import { loadTfjs } from '../kernels/tfjs/tfjs-runtime.js';
import { tfjsThreads } from '../kernels/tfjs/tfjs-worker-pool.js';
import { pooledTable } from '../kernels/tfjs/tfjs-split.js';
import { tfjsTable } from '../kernels/tfjs/tfjs-table.js';
import { hostIo } from '../kernels/tfjs/tfjs-io.js';
import { TfjsWorkerPool } from '../kernels/tfjs/tfjs-worker-pool.js';
import { resnet9 } from '../src/models/builders.js';
import { recordAlrStep, transferShare } from './step-transfer.js';
import { inferShapes } from '../src/models/shapes.js';

const { values: opts } = parseArgs({
  options: {
    backends: { type: 'string' },
    sizes: { type: 'string', default: '256,512,768,1024' },
    batch: { type: 'string', default: '2' },
    'no-step': { type: 'boolean', default: false },
    'step-only': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    'split-thresholds': { type: 'boolean', default: false },
  },
});

interface Case {
  label: string;
  flop: number;
  run: (r: KernelRunner) => Promise<unknown>;
  peer: () => Promise<void>;
}

function data(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
}

/**
 * Median seconds per call for each contender, timed in interleaved rounds (--rounds, default 5) so
 * load from other processes on this shared machine hits all of them alike; the order reverses every
 * other round, so no contender always runs right after another's allocations. One warm-up call
 * each compiles; a contender whose warm-up took over 2 s is timed in the first round only.
 */
async function timeInterleaved(fns: (() => Promise<unknown>)[]): Promise<number[]> {
  const samples: number[][] = fns.map(() => []);
  const slow: boolean[] = [];
  for (const fn of fns) {
    const t0 = performance.now();
    await fn();
    slow.push(performance.now() - t0 > 2000);
  }
  for (let round = 0; round < Number(opts.rounds); round++) {
    const order = fns.map((_, i) => (round % 2 === 0 ? i : fns.length - 1 - i));
    for (const i of order) {
      if (round > 0 && slow[i]) continue;
      const t0 = performance.now();
      await fns[i]!();
      samples[i]!.push((performance.now() - t0) / 1000);
    }
  }
  return samples.map((xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
}

/**
 * Peak estimate. Hardware: clock (from /proc/cpuinfo) x f32 lanes of the widest SIMD the CPU flags
 * list x 2 FMA ports x 2 FLOP. Reachable from wasm: 128-bit SIMD (4 lanes) with separate multiply and
 * add on 2 ports = 8 FLOP/cycle. Both per core, one thread (TF.js wasm runs one thread in Node).
 * A measured scalar JS multiply-add loop (8 independent chains) is printed as a sanity floor.
 */
function estimatePeak(): { hardware: number; wasm: number; scalarJs: number; clockGHz: number; lanes: number } {
  let clockGHz = 0;
  let lanes = 4;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    clockGHz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(info)?.[1] ?? 0) / 1000;
    const flags = /flags\s*:(.*)/.exec(info)?.[1]?.split(' ') ?? [];
    lanes = flags.includes('avx512f') ? 16 : flags.includes('avx2') ? 8 : 4;
  } catch {
    clockGHz = 0;
  }
  const iters = 20_000_000;
  let a0 = 1,
    a1 = 1,
    a2 = 1,
    a3 = 1,
    a4 = 1,
    a5 = 1,
    a6 = 1,
    a7 = 1;
  const m = 0.9999999,
    c = 1e-7;
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) {
    a0 = a0 * m + c;
    a1 = a1 * m + c;
    a2 = a2 * m + c;
    a3 = a3 * m + c;
    a4 = a4 * m + c;
    a5 = a5 * m + c;
    a6 = a6 * m + c;
    a7 = a7 * m + c;
  }
  const scalarJs = (16 * iters) / ((performance.now() - t0) / 1000) / 1e9 + 0 * (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
  return {
    hardware: clockGHz * lanes * 2 * 2,
    wasm: clockGHz > 0 ? clockGHz * 8 : scalarJs * 4,
    scalarJs,
    clockGHz,
    lanes,
  };
}

async function buildCases(): Promise<Case[]> {
  const tf = await loadTfjs();
  const peerOf = (build: () => import('@tensorflow/tfjs-core').Tensor) => async () => {
    const t = tf.tidy(build);
    t.dataSync();
    t.dispose();
  };
  const cases: Case[] = [];
  for (const n of (opts.sizes ?? '').split(',').map(Number)) {
    const a = data(n * n, n);
    const b = data(n * n, n + 1);
    const args: KernelArgs['matmul'] = { a, b, m: n, k: n, n };
    cases.push({
      label: `matmul ${n}`,
      flop: 2 * n ** 3,
      run: (r) => r.run('matmul', args),
      peer: peerOf(() => tf.matMul(tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n]))),
    });
  }
  const batch = Number(opts.batch);
  const seen = new Set<string>();
  for (const [name, { input }] of inferShapes(resnet9())) {
    const layer = resnet9()
      .layers.flatMap((l) => (l.kind === 'residual' ? l.body : [l]))
      .find((l) => l.name === name);
    if (layer?.kind !== 'conv2d') continue;
    const [ci, h, w] = input as [number, number, number];
    const key = `${ci}-${layer.outChannels}-${h}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const dims = {
      batch,
      inChannels: ci,
      height: h,
      width: w,
      outChannels: layer.outChannels,
      kernelSize: layer.kernelSize,
      stride: layer.stride,
      padding: layer.padding,
    };
    const x = data(batch * ci * h * w, 7);
    const weights = data(layer.outChannels * ci * layer.kernelSize ** 2, 8);
    const flop = 2 * batch * layer.outChannels * h * w * ci * layer.kernelSize ** 2;
    const peer = peerOf(() =>
      tf.transpose(
        tf.conv2d(
          tf.transpose(tf.tensor4d(x, [batch, ci, h, w]), [0, 2, 3, 1]),
          tf.transpose(tf.tensor4d(weights, [layer.outChannels, ci, layer.kernelSize, layer.kernelSize]), [2, 3, 1, 0]),
          layer.stride,
          layer.padding,
        ),
        [0, 3, 1, 2],
      ),
    );
    cases.push({
      label: `conv ${name} ${ci}->${layer.outChannels} @${h}x${w} b${batch}`,
      flop,
      run: (r) => r.run('conv2d', { x, weights, dims }),
      peer,
    });
  }
  const rows = 8 * 64;
  const outs = 512;
  const ins = 512;
  const lr = {
    loss: data(rows, 1),
    e: data(rows * outs, 2).map((v) => (v >= 0 ? 1 : -1)),
    x: data(rows * ins, 3),
    sigma: new Float32Array(outs).fill(0.1),
    rows,
    outs,
    ins,
    scale: 1 / rows,
  };
  cases.push({
    label: `alr-grad N=8 K=64 ${outs}x${ins}`,
    flop: 2 * rows * outs * ins,
    run: (r) => r.run('lr-grad-product', lr),
    peer: peerOf(() =>
      tf.matMul(
        tf.transpose(tf.mul(tf.tensor2d(lr.loss, [rows, 1]), tf.tensor2d(lr.e, [rows, outs]))),
        tf.tensor2d(lr.x, [rows, ins]),
      ),
    ),
  });
  return cases;
}

/** noise-inject draws per second on each backend at the first layer of the MNIST MLP step (N*K = 4096 rows x 256 units). */
async function printNoiseRates(runners: Map<BackendName, KernelRunner>): Promise<void> {
  const rows = 4096;
  const units = 256;
  const args = {
    z: new Float32Array(rows * units),
    sigma: new Float32Array(units).fill(1),
    rows,
    channels: units,
    spatial: 1,
    seed: 1,
    step: 2,
    layer: 0,
    rowOffset: 0,
  };
  const contenders: [string, () => Promise<unknown>][] = [...runners].map(([b, r]) => [
    b,
    () => r.run('noise-inject', args),
  ]);
  const seconds = await timeInterleaved(contenders.map(([, f]) => f));
  console.log(
    `\nnoise-inject ${rows}x${units}: ${contenders.map(([b], i) => `${b} ${((rows * units) / seconds[i]! / 1e6).toFixed(1)} M draws/s`).join(' | ')}`,
  );
}

/** The transfer share of one recorded ALR training step on each backend that moves data (bench/step-transfer.ts). */
async function printTransferShares(runners: Map<BackendName, KernelRunner>): Promise<void> {
  if (opts['no-step']) return;
  const calls = await recordAlrStep();
  console.log(
    `\nALR training step (MNIST MLP 784-256-10, N=64, K=64; ${calls.length} kernel calls recorded, replayed on each backend): time in host<->device transfers`,
  );
  for (const [backend, runner] of runners) {
    const t = await transferShare(backend, runner, calls);
    if (t === null) continue;
    console.log(
      `${backend.padEnd(10)} step ${(t.stepSeconds * 1000).toFixed(1)} ms, transfers ${(t.transferSeconds * 1000).toFixed(1)} ms = ${((100 * t.transferSeconds) / t.stepSeconds).toFixed(0)}% (largest in the last round: ${t.top.join(', ')})`,
    );
  }
}

/** Median ms of `fn` over `reps` calls after one warm-up. */
async function medianMs(fn: () => Promise<unknown>, reps: number): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return xs.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

/** --split-thresholds: the tfjs-wasm table unsplit vs always split over tfjsThreads() threads, on calls around the thresholds. */
async function printSplitThresholds(): Promise<void> {
  const tf = await loadTfjs();
  // The TF.js kernels (as with ALRFLOW_ORT=0): the ones the pool splits.
  const base = tfjsTable(tf, hostIo(tf), null);
  const pooled = pooledTable(tf, base, new TfjsWorkerPool({ threads: Math.max(2, tfjsThreads()) }), {
    minFlop: 0,
    minFlopPerValue: 0,
    minDraws: 0,
    minRowsPerThread: 0,
  });
  console.log(
    `tfjs-wasm unsplit vs split over ${Math.max(2, tfjsThreads())} threads (median ms; ratio > 1: splitting wins)`,
  );
  for (const n of [64, 96, 128, 160, 192, 256, 384]) {
    const args = { a: data(n * n, 1), b: data(n * n, 2), m: n, k: n, n };
    const reps = Math.max(7, Math.min(200, Math.floor(3e8 / (2 * n ** 3))));
    const [u, s] = [
      await medianMs(() => base.matmul(args), reps),
      await medianMs(() => pooled.table.matmul(args), reps),
    ];
    console.log(
      `matmul ${n} (2^${Math.log2(2 * n ** 3).toFixed(1)} FLOP): unsplit ${u.toFixed(3)} split ${s.toFixed(3)} ratio ${(u / s).toFixed(2)}`,
    );
  }
  for (const rows of [16, 32, 64, 128, 256, 1024]) {
    const nz = {
      z: data(rows * 256, 3),
      sigma: new Float32Array(256).fill(1),
      rows,
      channels: 256,
      spatial: 1,
      seed: 1,
      step: 2,
      layer: 0,
      rowOffset: 0,
    };
    const [u, s] = [
      await medianMs(() => base['noise-inject-signs'](nz), 31),
      await medianMs(() => pooled.table['noise-inject-signs'](nz), 31),
    ];
    console.log(
      `noise-inject-signs ${rows}x256 (2^${Math.log2(rows * 256)} draws): unsplit ${u.toFixed(3)} split ${s.toFixed(3)} ratio ${(u / s).toFixed(2)}`,
    );
  }
  await pooled.dispose();
}

async function main(): Promise<void> {
  if (opts['split-thresholds']) return printSplitThresholds();
  const wanted = opts.backends?.split(',');
  const working = (await detectAll()).filter((s) => s.works && (!wanted || wanted.includes(s.backend)));
  const auto = await chooseAuto();
  const p = estimatePeak();
  // Of the whole machine: a wasm backend may use SIMD on several threads, so a per-core wasm figure can be exceeded.
  const peak = p.hardware * cpus().length;
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'} at ${p.clockGHz.toFixed(2)} GHz, ${p.lanes} f32 SIMD lanes`,
  );
  console.log(
    `peak per core: hardware ${p.hardware.toFixed(1)} GFLOP/s (lanes x 2 FMA ports x 2); wasm-reachable ${p.wasm.toFixed(1)} GFLOP/s (4 lanes, mul+add, 2 ports); "% peak" below is of the machine's hardware peak ${(p.hardware * cpus().length).toFixed(1)} GFLOP/s (all cores); measured scalar JS multiply-add loop ${p.scalarJs.toFixed(2)} GFLOP/s`,
  );
  const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
  console.log(
    `auto picks: ${auto.backend}; engine: ${(await detectAll()).find((s) => s.backend === auto.backend)?.engine ?? 'unknown'}`,
  );
  console.log(
    `peer: TF.js wasm in its default Node configuration (${wasmBackend.getThreadsCount()} thread), tf.matMul/tf.conv2d with upload and readback, same inputs; tfjs-wasm here uses ${tfjsThreads()} thread(s)`,
  );
  const cases = opts['step-only'] ? [] : await buildCases();
  const runners = new Map<BackendName, KernelRunner>();
  for (const s of working) runners.set(s.backend, await openBackend(s.backend));
  for (const c of cases) {
    const contenders = [...runners];
    const [peerSeconds, ...seconds] = await timeInterleaved([
      c.peer,
      ...contenders.map(
        ([, r]) =>
          () =>
            c.run(r),
      ),
    ]);
    const peerGflops = c.flop / peerSeconds! / 1e9;
    const cells = [`TF.js ${peerGflops.toFixed(2)}`];
    contenders.forEach(([backend], i) => {
      const g = c.flop / seconds[i]! / 1e9;
      cells.push(
        `${backend}${backend === auto.backend ? '*' : ''} ${g.toFixed(2)} (${(g / peerGflops).toFixed(2)}x, ${((100 * g) / peak).toFixed(0)}% peak)`,
      );
    });
    console.log(`${c.label.padEnd(34)} GFLOP/s: ${cells.join(' | ')}`);
  }
  console.log(
    '* = auto. Ratios are to TF.js wasm measured in this run; % peak is of the hardware peak of the whole machine above.',
  );
  if (!opts['no-step']) await printNoiseRates(runners);
  await printTransferShares(runners);
  for (const r of runners.values()) await r.dispose();
}

await main();
process.exit(0);

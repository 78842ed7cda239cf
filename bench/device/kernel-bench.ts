// The device check's kernel benchmark: fixed shapes (square matmuls, a ResNet-9-like conv, the ALR
// dense gradient product at K = 64) timed on one alrflow backend through the registry, each result
// stamped with the backend that ran it. torch-bench.py times the same shapes with PyTorch on the same
// GPU from the JSON this writes (cases: kind and shape). Not a test.
import type { BackendName } from '../../kernels/backends.js';
import type { KernelArgs, KernelName } from '../../kernels/names.js';
import { openBackend } from '../../kernels/registry.js';

export interface BenchCase {
  label: string;
  kind: 'matmul' | 'conv2d' | 'lr-grad-product';
  shape: Record<string, number>;
  flop: number;
}

export interface BenchRow extends BenchCase {
  backend: string;
  ms: number;
  gflops: number;
}

/** The shapes; `small` (the dry run) keeps CPU backends to seconds. */
export function benchCases(small: boolean): BenchCase[] {
  const sizes = small ? [64, 128] : [256, 512, 1024, 2048];
  const mm = sizes.map((n): BenchCase => ({
    label: `matmul ${n}^3`,
    kind: 'matmul',
    shape: { m: n, k: n, n },
    flop: 2 * n ** 3,
  }));
  const c = small ? { batch: 1, ci: 8, co: 8, side: 16 } : { batch: 8, ci: 64, co: 128, side: 32 };
  const conv: BenchCase = {
    label: `conv2d ${c.batch}x${c.ci}x${c.side}x${c.side} -> ${c.co}, 3x3`,
    kind: 'conv2d',
    shape: { ...c, ks: 3 },
    flop: 2 * c.batch * c.co * c.side ** 2 * c.ci * 9,
  };
  const l = small ? { rows: 256, outs: 64, ins: 196 } : { rows: 4096, outs: 256, ins: 784 };
  const lr: BenchCase = {
    label: `lr-grad-product rows ${l.rows} (N 64 x K 64), ${l.ins} -> ${l.outs}`,
    kind: 'lr-grad-product',
    shape: l,
    flop: 3 * l.rows * l.outs * l.ins,
  };
  return [...mm, conv, lr];
}

function data(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
}

function argsOf(c: BenchCase): [KernelName, KernelArgs[KernelName]] {
  const s = c.shape as Record<string, number>;
  if (c.kind === 'matmul')
    return [
      'matmul',
      { a: data(s['m']! * s['k']!, 1), b: data(s['k']! * s['n']!, 2), m: s['m']!, k: s['k']!, n: s['n']! },
    ];
  if (c.kind === 'conv2d') {
    const dims = {
      batch: s['batch']!,
      inChannels: s['ci']!,
      height: s['side']!,
      width: s['side']!,
      outChannels: s['co']!,
      kernelSize: 3,
      stride: 1,
      padding: 1,
    };
    return [
      'conv2d',
      {
        x: data(dims.batch * dims.inChannels * s['side']! ** 2, 3),
        weights: data(dims.outChannels * dims.inChannels * 9, 4),
        dims,
      },
    ];
  }
  const sigma = new Float32Array(s['outs']!).fill(0.1);
  return [
    'lr-grad-product',
    {
      loss: data(s['rows']!, 5),
      e: data(s['rows']! * s['outs']!, 6).map(Math.sign),
      x: data(s['rows']! * s['ins']!, 7),
      sigma,
      rows: s['rows']!,
      outs: s['outs']!,
      ins: s['ins']!,
      scale: 1 / s['rows']!,
    },
  ];
}

/** Fastest of `rounds` calls after one warm-up (compilation), per case. */
export async function benchBackend(backend: BackendName, cases: BenchCase[], rounds: number): Promise<BenchRow[]> {
  const runner = await openBackend(backend);
  const rows: BenchRow[] = [];
  try {
    for (const c of cases) {
      const [name, args] = argsOf(c);
      const first = await runner.run(name, args as never);
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now();
        await runner.run(name, args as never);
        times.push(performance.now() - t0);
      }
      const ms = Math.min(...times);
      rows.push({ ...c, backend: first.backend, ms, gflops: c.flop / (ms * 1e6) });
    }
  } finally {
    await runner.dispose();
  }
  return rows;
}

// The device check's summary lines from the JSON files run.sh leaves in OUT: routes (renderer and why
// each was rejected), parity per mode, the kernel benchmark beside PyTorch's time for the same shapes,
// the ALR MNIST epoch (accuracy, seconds, host/device transfers per step), and the simulated step
// on the NVIDIA-like hardware model beside the measured one. A file that is missing prints why.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepProfile } from '../../src/train/step-profile.js';
import type { BenchRow } from './kernel-bench.js';
import type { RouteResult } from './route-probe.js';

const read = <T>(out: string, file: string): T | undefined => {
  const path = join(out, file);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
};

function routeLines(out: string): string[] {
  const routes = (['egl', 'glx', 'vulkan'] as const)
    .map((r) => read<RouteResult>(out, `route-${r}.json`))
    .filter((r) => r !== undefined);
  return routes.map(
    (r) =>
      `route ${r.route} (${r.backend}): renderer ${r.renderer === null ? '(none)' : `"${r.renderer}"`}; ${r.counts ? 'COUNTS (names NVIDIA)' : `rejected: ${r.reason}`}`,
  );
}

function parityLines(out: string): string[] {
  const p = read<{ results: { mode: string; kernels: { kernel: string; ratio: number }[] }[]; failed: string[] }>(
    out,
    'parity.json',
  );
  if (!p) return ['parity: no result (see parity.log)'];
  const per = p.results.map(
    (r) =>
      `${r.mode} ${r.kernels.length - p.failed.filter((f) => f.startsWith(`${r.mode} `)).length}/${r.kernels.length} kernels`,
  );
  return [
    `parity against the float64 reference: ${per.join(', ')}${p.failed.length > 0 ? `; FAILED: ${p.failed.join(', ')}` : ', all pass'}`,
  ];
}

function benchLines(out: string): string[] {
  const b = read<{ backend: string; rows: BenchRow[] }>(out, 'bench.json');
  if (!b) return ['kernel bench: no result (see bench.log)'];
  const t = read<{ torch: string; device: string; rows: { label: string; ms: number }[] }>(out, 'torch.json');
  const head = t
    ? `kernel bench, ${b.backend} vs PyTorch ${t.torch} on ${t.device} (fastest call, ms):`
    : `kernel bench on ${b.backend} (fastest call, ms); PyTorch: not measured (see torch.log)`;
  const rows = b.rows.map((r) => {
    const peer = t?.rows.find((p) => p.label === r.label);
    const vs = peer ? `  torch ${peer.ms.toFixed(3)} ms, alrflow/torch time ${(r.ms / peer.ms).toFixed(1)}x` : '';
    return `  ${r.label.padEnd(52)} ${r.ms.toFixed(3).padStart(10)} ms ${r.gflops.toFixed(2).padStart(8)} GFLOP/s [${r.backend}]${vs}`;
  });
  return [head, ...rows];
}

interface TrainReport {
  summary: {
    backend: string;
    wallSeconds: number;
    steps: number;
    config: { limit?: number };
    final: { testAccuracy: number };
    profile?: StepProfile;
  };
}

function trainLines(out: string): { lines: string[]; stepSeconds: number | undefined } {
  const r = read<TrainReport>(out, 'train/train-report.json');
  if (!r) return { lines: ['ALR MNIST epoch: no result (see train.log)'], stepSeconds: undefined };
  const s = r.summary;
  const samples = s.config.limit === undefined ? 'all 60000 samples' : `first ${s.config.limit} samples (dry run)`;
  const lines = [
    `ALR MNIST epoch (K 64, ${samples}) on ${s.backend}: test accuracy ${(100 * s.final.testAccuracy).toFixed(2)}%, ${s.wallSeconds.toFixed(1)} s, ${s.steps} steps`,
  ];
  const x = s.profile?.transfers;
  if (x)
    lines.push(
      `  host/device transfers per step: ${x.count} (${x.bytes} bytes); read back: ${x.downloads.count} (${x.downloads.bytes} bytes)`,
    );
  else lines.push(`  host/device transfers: none counted (${s.backend} computes in host memory)`);
  return { lines, stepSeconds: s.profile?.measuredStepSeconds };
}

function simulateLines(out: string, measured: number | undefined): string[] {
  const sim = read<{ prediction?: { secondsPerIteration: number } }>(out, 'simulate.json');
  const hw = existsSync(join(out, 'simulate.hw')) ? readFileSync(join(out, 'simulate.hw'), 'utf8').trim() : '?';
  if (!sim?.prediction) return ['simulate: no result (see simulate.log)'];
  const p = sim.prediction.secondsPerIteration;
  const vs =
    measured === undefined
      ? ''
      : `; measured ${(measured * 1000).toFixed(3)} ms (measured/simulated ${(measured / p).toFixed(1)}x)`;
  return [`simulate (same step, hardware model ${hw}): ${(p * 1000).toFixed(3)} ms per step${vs}`];
}

export function summaryLines(out: string): string[] {
  const train = trainLines(out);
  return [
    ...routeLines(out),
    ...parityLines(out),
    ...benchLines(out),
    ...train.lines,
    ...simulateLines(out, train.stepSeconds),
  ];
}

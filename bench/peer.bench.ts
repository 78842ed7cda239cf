// bench:peer: the same training steps in alrflow (bench/peer-alrflow-worker.ts, tfjs-wasm) and in
// PyTorch (bench/peer_torch.py, Debian's python3-torch), timed in one run, alternating round by
// round so both see the same machine load, at 1 and 2 threads; prints each side's median step and
// the ratio alrflow / PyTorch. Configurations: MLP 784-256-10 N=64 K=64 with BP, LR, ALR; resnet5
// (3x32x32) N=32 K=16 with BP and ALR. Goal: LR and ALR within 1.5x, BP within 2x. When PyTorch is
// absent it says so and prints alrflow's times alone. Environment: BENCH_THREADS (default 1,2),
// BENCH_ROUNDS (default 3), BENCH_ONLY (e.g. mlp or resnet5), BENCH_PYTHON (default: /usr/bin/python3
// if it imports torch, else python3). Not a test.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';

interface Config {
  net: 'mlp' | 'resnet5';
  method: 'bp' | 'lr' | 'alr';
  n: number;
  k: number;
  /** Steps per round. */
  steps: number;
  /** Untimed warm-up steps on each side before the rounds (default: one round's steps). */
  warmup?: number;
  goal: number;
}

const configs: Config[] = [
  // V8 keeps compiling a 3 ms step's functions on its background threads for hundreds of steps (1.7 ms of
  // those threads' CPU per step over steps 20-120, 0.6 over 300-400, under 0.15 after 600; bench/RESULTS.md).
  { net: 'mlp', method: 'bp', n: 64, k: 1, steps: 20, warmup: 600, goal: 2 },
  // A 20-25 ms LR/ALR step reaches its steady CPU after about 150 steps (ALR at 1 thread, median CPU ms per
  // step: 22.5 over steps 40-60, 21.7 over 60-100, 21.0 over 100-150, 18.5-18.8 over 150-300; bench/RESULTS.md).
  { net: 'mlp', method: 'lr', n: 64, k: 64, steps: 8, warmup: 150, goal: 1.5 },
  { net: 'mlp', method: 'alr', n: 64, k: 64, steps: 8, warmup: 150, goal: 1.5 },
  { net: 'resnet5', method: 'bp', n: 32, k: 1, steps: 2, goal: 2 },
  { net: 'resnet5', method: 'alr', n: 32, k: 16, steps: 1, goal: 1.5 },
];
const threads = (process.env.BENCH_THREADS ?? '1,2').split(',').map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const only = process.env.BENCH_ONLY;

/** A worker process speaking the JSON-lines protocol. */
class Worker {
  private readonly lines: Interface;
  private readonly pending: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => this.pending.shift()?.resolve(line));
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    child.on('exit', (code) =>
      this.pending.splice(0).forEach((p) => p.reject(new Error(`worker exited with code ${code}`))),
    );
  }

  ask(config: Config, steps: number): Promise<{ ms: number[]; cpu: number[]; backend?: string; torch?: string }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve: (line) => resolve(JSON.parse(line)), reject });
      this.child.stdin.write(
        `${JSON.stringify({ net: config.net, method: config.method, n: config.n, k: config.k, steps })}\n`,
      );
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

function torchPython(): string | undefined {
  const candidates = process.env.BENCH_PYTHON ? [process.env.BENCH_PYTHON] : ['/usr/bin/python3', 'python3'];
  return candidates.find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

function start(t: number, python: string | undefined): { alrflow: Worker; torch?: Worker } {
  // OpenMP's default spin-wait makes PyTorch's 2-thread steps up to 50x slower as soon as anything else runs on
  // 2 cores (MLP BP 68 ms against 1.3 ms passive, measured): the peer gets its best setting unless one is given.
  const env = {
    ...process.env,
    OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE',
    ALRFLOW_TFJS_THREADS: String(t),
    OMP_NUM_THREADS: String(t),
    OPENBLAS_NUM_THREADS: String(t),
  };
  const tsx = join(import.meta.dirname, '../node_modules/.bin/tsx');
  const alrflow = new Worker(spawn(tsx, [join(import.meta.dirname, 'peer-alrflow-worker.ts')], { env }));
  const torch = python ? new Worker(spawn(python, [join(import.meta.dirname, 'peer_torch.py')], { env })) : undefined;
  return { alrflow, torch };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median wall and CPU milliseconds per step of each side. */
interface Medians {
  ms: number;
  cpu: number;
}

async function measure(
  config: Config,
  workers: { alrflow: Worker; torch?: Worker },
): Promise<{ mine: Medians; theirs?: Medians; backend: string }> {
  // Warm-up, untimed, the same steps on each side. V8 and TF.js warm over tens of steps (an MLP BP step
  // took 8.8 ms of CPU, median of its first 21 steps, and 3.5 ms over steps 42-61), and V8's optimizing
  // compiler runs on other threads for hundreds (their CPU counts in the process's).
  const first = await workers.alrflow.ask(config, config.warmup ?? config.steps);
  await workers.torch?.ask(config, config.warmup ?? config.steps);
  const mine = { ms: [] as number[], cpu: [] as number[] };
  const theirs = { ms: [] as number[], cpu: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const a = await workers.alrflow.ask(config, config.steps);
    mine.ms.push(...a.ms);
    mine.cpu.push(...a.cpu);
    if (!workers.torch) continue;
    const b = await workers.torch.ask(config, config.steps);
    theirs.ms.push(...b.ms);
    theirs.cpu.push(...b.cpu);
  }
  const medians = (x: { ms: number[]; cpu: number[] }): Medians => ({ ms: median(x.ms), cpu: median(x.cpu) });
  return {
    mine: medians(mine),
    ...(workers.torch ? { theirs: medians(theirs) } : {}),
    backend: first.backend ?? '?',
  };
}

const python = torchPython();
if (!python) {
  console.log(
    "PyTorch is absent: no python3 here imports torch (install: apt-get install -y python3-torch python3-torchvision libopenblas0-openmp); printing alrflow's step times alone, no ratios.",
  );
}
console.log(
  `bench:peer  median ms per training step, ${rounds} alternating rounds; ratio = alrflow / PyTorch (goal: LR/ALR <= 1.5, BP <= 2); load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${availableParallelism()} cores`,
);
console.log(
  "  cpu: each process's CPU milliseconds per step (all its threads): under load, waiting for a core counts in wall time only, so at 1 thread the cpu ratio is the steadier comparison",
);
console.log(
  `${'config'.padEnd(30)}${'threads'.padStart(8)}${'alrflow ms'.padStart(12)}${'PyTorch ms'.padStart(12)}${'ratio'.padStart(8)}${'alrflow cpu'.padStart(13)}${'PyTorch cpu'.padStart(13)}${'cpu ratio'.padStart(11)}  goal (wall ratio)`,
);
for (const t of threads) {
  const workers = start(t, python);
  for (const config of configs.filter((c) => !only || c.net === only)) {
    const m = await measure(config, workers);
    const label = `${config.net} ${config.method.toUpperCase()} N=${config.n}${config.method === 'bp' ? '' : ` K=${config.k}`}`;
    const ratio = m.theirs === undefined ? undefined : m.mine.ms / m.theirs.ms;
    const cpuRatio = m.theirs === undefined ? undefined : m.mine.cpu / m.theirs.cpu;
    const verdict =
      ratio === undefined ? '' : ratio <= config.goal ? `<= ${config.goal} met` : `> ${config.goal} not met`;
    const cells = [
      [m.mine.ms.toFixed(1), 12],
      [m.theirs?.ms.toFixed(1) ?? 'absent', 12],
      [ratio?.toFixed(2) ?? '-', 8],
      [m.mine.cpu.toFixed(1), 13],
      [m.theirs?.cpu.toFixed(1) ?? 'absent', 13],
      [cpuRatio?.toFixed(2) ?? '-', 11],
    ] as const;
    const row = cells.map(([text, width]) => text.padStart(width)).join('');
    console.log(`${label.padEnd(30)}${String(t).padStart(8)}${row}  ${verdict} (${m.backend})`);
  }
  workers.alrflow.close();
  workers.torch?.close();
}

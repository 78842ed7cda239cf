// Simulator speed (npm run bench:sim). Prints wall time, events per second and ratios against a peer
// measured in the same run: SCALE-Sim's ResNet-18 topology on a 32x32 array (closed-form fold model
// vs the per-row USER-bandwidth memory model on one layer), and 100 iterations of ALR ResNet-9
// layer-pipelined on multicore-16 (event simulation vs the analytic estimate). Targets: < 1 s, < 2 s.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScaleSimConfig } from '../src/hw/scalesim-cfg.js';
import { loadScaleSimTopology } from '../src/models/importers/scalesim-topology.js';
import { analyticIterationCycles } from '../sim/analytic.js';
import { compileJob } from '../sim/job.js';
import { simulateScaleSim } from '../sim/scalesim.js';
import { simulate } from '../sim/simulate.js';
import type { SimReport } from '../src/report/sim-report.js';

const time = <T>(f: () => T): { value: T; ms: number } => {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
};
const cfgText = (mode: string) =>
  `[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nDataflow: os\nBandwidth: 10\n[run_presets]\nInterfaceBandwidth: ${mode}\n`;

const topo = loadScaleSimTopology(join(import.meta.dirname, '../test/fixtures/sim-resnet18.csv'));
const calc = time(() => simulateScaleSim(parseScaleSimConfig(cfgText('CALC')), topo));
const cycles = calc.value.reduce((s, r) => s + r.totalCycles, 0);
const folds = calc.value.reduce((s, r) => s + r.folds, 0);
const userLayer = topo.filter((l) => l.name === 'fc');
const user = time(() => simulateScaleSim(parseScaleSimConfig(cfgText('USER')), userLayer));
process.stdout.write(
  `scalesim resnet18 32x32 os CALC: ${topo.length} layers, ${cycles} cycles, ${calc.ms.toFixed(1)} ms (${((folds / calc.ms) * 1e3).toExponential(2)} folds/s), target < 1000 ms: ${calc.ms < 1000 ? 'ok' : 'MISSED'}\n`,
);
process.stdout.write(
  `  peer: USER-bandwidth row-by-row model on the fc layer alone: ${user.ms.toFixed(1)} ms (closed form over the whole network is ${(user.ms / calc.ms).toFixed(1)}x faster than it on one layer)\n`,
);

try {
  const step = await compileJob({
    model: 'resnet9',
    method: 'alr',
    copies: 64,
    batch: 32,
    schedule: 'layer-pipelined',
    hw: 'multicore-16',
    iterations: 100,
  });
  simulate(step, { iterations: 2 });
  const sim = time(() => simulate(step, { iterations: 100 }));
  const analytic = time(() => analyticIterationCycles(step));
  const evPerS = (sim.value.events / sim.ms) * 1e3;
  process.stdout.write(
    `simulate resnet9 alr K=64 layer-pipelined multicore-16, 100 iterations: ${step.tasks.length} tasks/iteration, ${sim.value.events} events, ${sim.ms.toFixed(1)} ms, ${evPerS.toExponential(2)} events/s, target < 2000 ms: ${sim.ms < 2000 ? 'ok' : 'MISSED'}\n`,
  );
  process.stdout.write(
    `  peer: analytic estimate ${analytic.ms.toFixed(2)} ms (simulation/analytic time ${(sim.ms / Math.max(analytic.ms, 1e-3)).toFixed(0)}x); cycles/iteration simulated ${sim.value.cycles.steadyStatePerIteration.toFixed(0)} vs analytic ${analytic.value}\n`,
  );
} catch (err) {
  process.stdout.write(`simulate resnet9 on multicore-16: not run (${(err as Error).message.split('\n')[0]})\n`);
}

// Big chips (issue 22, point 8): whole processes of the built CLI (start-up, compile, core-count
// choice, simulation and the --json-file report included), timed by /usr/bin/time (wall, CPU, max
// RSS), each figure also as a ratio against the multicore-16 run of the same command.
// SIM_BENCH_MESH=0 leaves out the 1024-core mesh (in lockstep, and its per-core peer: minutes on a loaded 2-core machine).
interface Proc {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
  events?: number;
  /** From the --json-file report: steady cycles per iteration and joules per iteration. */
  cycles?: number;
  joules?: number | null;
}
const root = join(import.meta.dirname, '..');
const outDir = mkdtempSync(join(tmpdir(), 'alrflow-sim-bench-'));

function timed(args: string[], json?: string): Proc {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, 'dist/alrflow.js', ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`alrflow ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-400)}`);
  const [wall, user, sys, rssKiB] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  const proc = { wallMs: wall! * 1e3, cpuMs: (user! + sys!) * 1e3, rssMiB: rssKiB! / 1024 };
  if (!json) return proc;
  const report = JSON.parse(readFileSync(json, 'utf8')) as SimReport;
  const energy = report.energy?.totalJoules;
  const joules = energy === undefined || energy === null ? null : energy / report.input.iterations;
  return { ...proc, events: report.events, cycles: report.cycles.steadyStatePerIteration, joules };
}

// Issue 22's case: ALR ResNet-9, K=64, batch 32, layer-pipelined (the defaults when it was measured).
const stepArgs = ['simulate', '--model', 'resnet9', '--method', 'alr', '--copies', '64', '--batch', '32'];
stepArgs.push('--schedule', 'layer-pipelined');

function simulateRun(hw: string, ...extra: string[]): Proc {
  const json = join(outDir, `${hw.replace(/\W/g, '-')}.json`);
  return timed(
    [...stepArgs, '--hw', hw, '--iterations', '100', '--quiet', '--force', '--json-file', json, ...extra],
    json,
  );
}

const rate = (p: Proc) => ((p.events ?? 0) / p.wallMs) * 1e3;
/** Events per second of CPU time (on a shared machine the wall time counts other people's work). */
const cpuRate = (p: Proc) => ((p.events ?? 0) / p.cpuMs) * 1e3;
const fmt = (p: Proc) =>
  `${p.wallMs.toFixed(0)} ms wall, ${p.cpuMs.toFixed(0)} ms CPU, ${p.rssMiB.toFixed(0)} MiB max RSS${p.events ? `, ${p.events} events, ${rate(p).toExponential(2)} events/s` : ''}`;
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
/** Wall time, CPU time and max RSS as ratios against the multicore-16 run. */
const ratios = (p: Proc, base: Proc) =>
  `wall ${(p.wallMs / base.wallMs).toFixed(2)} x, CPU ${(p.cpuMs / base.cpuMs).toFixed(2)} x, RSS ${(p.rssMiB / base.rssMiB).toFixed(2)} x multicore-16`;

try {
  const build = spawnSync(process.execPath, ['src/cli/build.mjs'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  const command = `${stepArgs.join(' ')} --iterations 100 --json-file F`;
  const base = simulateRun('multicore-16');
  process.stdout.write(`whole process \`alrflow ${command}\`:\n  multicore-16: ${fmt(base)}\n`);
  const gpu = simulateRun('gpu-like');
  process.stdout.write(
    `  gpu-like: ${fmt(gpu)}; ${ratios(gpu, base)}; events/s ${(rate(gpu) / rate(base)).toFixed(2)} x multicore-16 by wall, ${(cpuRate(gpu) / cpuRate(base)).toFixed(2)} x by CPU, target >= 0.5: ${verdict(rate(gpu) / rate(base) >= 0.5)} (wall), ${verdict(cpuRate(gpu) / cpuRate(base) >= 0.5)} (CPU)\n`,
  );
  if (process.env.SIM_BENCH_MESH !== '0') {
    const mesh = simulateRun('hw-models/mesh-1024.json');
    process.stdout.write(
      `  mesh-1024 (hw-models/mesh-1024.json, in lockstep by default): ${fmt(mesh)}; ${ratios(mesh, base)}; target 2000 ms: ${verdict(mesh.wallMs <= 2000)} (wall), ${verdict(mesh.cpuMs <= 2000)} (CPU)\n`,
    );
    // The peer: the same chip with a task per core (minutes on a loaded machine; SIM_BENCH_MESH_EXACT=0 leaves it out).
    if (process.env.SIM_BENCH_MESH_EXACT !== '0') {
      const exact = simulateRun('hw-models/mesh-1024.json', '--lockstep', 'off');
      const off = (a?: number | null, b?: number | null) => (a && b ? `${((100 * (a - b)) / b).toFixed(2)} %` : 'n/a');
      process.stdout.write(
        `  mesh-1024 with a task per core (--lockstep off): ${fmt(exact)}; lockstep is ${(exact.wallMs / mesh.wallMs).toFixed(1)} x faster by wall, ${(exact.cpuMs / mesh.cpuMs).toFixed(1)} x by CPU; lockstep's cycles per iteration ${off(mesh.cycles, exact.cycles)}, energy per iteration ${off(mesh.joules, exact.joules)} off the per-core simulation's\n`,
      );
    }
  }
  const compareArgs = ['compare', '--model', 'resnet9', '--copies', '64', '--batch', '32', '--hw', 'multicore-16'];
  const cmp = timed([...compareArgs, '--quiet']);
  process.stdout.write(
    `compare --model resnet9 --copies 64 --batch 32 --hw multicore-16 (rows in lockstep by default): ${fmt(cmp)}; ${ratios(cmp, base)} simulate above; target 5000 ms: ${verdict(cmp.wallMs <= 5000)} (wall), ${verdict(cmp.cpuMs <= 5000)} (CPU); target 300 MiB: ${verdict(cmp.rssMiB <= 300)}\n`,
  );
  const cmpExact = timed([...compareArgs, '--quiet', '--lockstep', 'off']);
  process.stdout.write(
    `  peer: the same compare with a task per core (--lockstep off): ${fmt(cmpExact)}; lockstep is ${(cmpExact.wallMs / cmp.wallMs).toFixed(1)} x faster by wall, ${(cmpExact.cpuMs / cmp.cpuMs).toFixed(1)} x by CPU\n`,
  );
} catch (err) {
  process.stdout.write(`big-chip figures: not run (${(err as Error).message.split('\n')[0]})\n`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

// Simulator speed (npm run bench:sim). Prints wall time, events per second and ratios against a peer
// measured in the same run: SCALE-Sim's ResNet-18 topology on a 32x32 array (closed-form fold model
// vs the per-row USER-bandwidth memory model on one layer), and 100 iterations of ALR ResNet-9
// layer-pipelined on multicore-16 (event simulation vs the analytic estimate). Targets: < 1 s, < 2 s.
import { join } from 'node:path';
import { parseScaleSimConfig } from '../src/hw/scalesim-cfg.js';
import { loadScaleSimTopology } from '../src/models/importers/scalesim-topology.js';
import { analyticIterationCycles } from '../sim/analytic.js';
import { compileJob } from '../sim/job.js';
import { simulateScaleSim } from '../sim/scalesim.js';
import { simulate } from '../sim/simulate.js';

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

// Big chips (issue 22, point 8), as ratios against multicore-16 in the same run, start-up (compile) included.
async function eventsPerSecond(hw: string): Promise<{ events: number; ms: number }> {
  const t0 = performance.now();
  const step = await compileJob({
    model: 'resnet9',
    method: 'alr',
    copies: 64,
    batch: 32,
    schedule: 'layer-pipelined',
    hw,
    iterations: 100,
  });
  const r = simulate(step, { iterations: 100, timelineLimit: 0, fullTimeline: false });
  return { events: r.events, ms: performance.now() - t0 };
}
try {
  const base = await eventsPerSecond('multicore-16');
  const gpu = await eventsPerSecond('gpu-like');
  const rate = (x: { events: number; ms: number }) => (x.events / x.ms) * 1e3;
  process.stdout.write(
    `compile + simulate resnet9 alr 100 iterations: multicore-16 ${base.ms.toFixed(0)} ms (${rate(base).toExponential(2)} events/s), gpu-like ${gpu.ms.toFixed(0)} ms (${rate(gpu).toExponential(2)} events/s): gpu-like events/s = ${(rate(gpu) / rate(base)).toFixed(2)} x multicore-16, target >= 0.5: ${rate(gpu) / rate(base) >= 0.5 ? 'ok' : 'MISSED'}\n`,
  );
  const { runCompare } = await import('../sim/compare.js');
  const t0 = performance.now();
  await runCompare({ model: 'resnet9', copies: 64, batch: 32, hw: 'multicore-16', iterations: 100 });
  const compareMs = performance.now() - t0;
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `compare resnet9 on multicore-16: ${compareMs.toFixed(0)} ms = ${(compareMs / base.ms).toFixed(1)} x the multicore-16 run above, target 5000 ms: ${compareMs <= 5000 ? 'ok' : 'MISSED'}; max RSS of this process ${rssMiB.toFixed(0)} MiB, target 300: ${rssMiB <= 300 ? 'ok' : 'MISSED'}\n`,
  );
  process.stdout.write(
    '1024-core mesh, resnet9 alr 100 iterations: not run here (minutes on this machine; target 2 s)\n',
  );
} catch (err) {
  process.stdout.write(`big-chip figures: not run (${(err as Error).message.split('\n')[0]})\n`);
}

// Lockstep simulation (Task.lockstep): one task per op instance stands for its cores. Checked against
// the task-per-core simulation of the same steps on multicore-16: the steady cycles per iteration,
// energy and traffic agree closely, with far fewer tasks; chips of more than 256 cores use it by
// default and the report says so; smaller ones keep a task per core unless asked.
import { describe, expect, test } from 'vitest';
import { runCompare } from '../../sim/compare.js';
import { compileJob, type SimJob } from '../../sim/job.js';
import { simulate } from '../../sim/simulate.js';
import { lockstepFlag } from '../../src/cli/step-options.js';
import { ConfigError } from '../../src/errors.js';
import type { SimReport } from '../../src/report/sim-report.js';

const trafficBytes = (r: SimReport) => r.traffic.reduce((s, t) => s + t.bytesRead + t.bytesWritten, 0);
const relative = (a: number, b: number) => Math.abs(b - a) / Math.abs(a);

describe('lockstep against a task per core (multicore-16)', () => {
  // bp-sequential's output-split gradient products leave 14 of 16 cores without columns of a batch
  // norm's gradient; per core they still read its operands whole, which lockstep does not count.
  const cases: (Pick<SimJob, 'model' | 'method' | 'schedule'> & { idleReads?: true })[] = [
    { model: 'resnet9', method: 'alr', schedule: 'layer-pipelined' },
    { model: 'resnet5', method: 'bp', schedule: 'data-parallel' },
    { model: 'resnet5', method: 'bp', schedule: 'bp-sequential', idleReads: true },
    { model: 'resnet9', method: 'bp', schedule: 'gpipe' },
  ];
  test.each(cases)('$model $method $schedule', async ({ idleReads, ...c }) => {
    const job: SimJob = { ...c, copies: 64, batch: 32, hw: 'multicore-16', iterations: 6 };
    const exact = await compileJob({ ...job, lockstep: false });
    const lock = await compileJob({ ...job, lockstep: true });
    expect(exact.tasks.some((t) => t.lockstep)).toBe(false);
    expect(lock.tasks.length * 4).toBeLessThan(exact.tasks.length);
    for (const t of lock.tasks.filter((x) => x.lockstep)) {
      expect(t.lockstep!.weight).toBeGreaterThanOrEqual(1);
      expect(t.lockstep!.weight).toBeLessThanOrEqual(t.lockstep!.cores);
    }
    const a = simulate(exact, { iterations: 6, noTimelines: true });
    const b = simulate(lock, { iterations: 6, noTimelines: true });
    expect(relative(a.cycles.steadyStatePerIteration, b.cycles.steadyStatePerIteration)).toBeLessThan(0.005);
    if (idleReads) expect(trafficBytes(b)).toBeLessThan(trafficBytes(a));
    else {
      expect(relative(a.energy!.totalJoules!, b.energy!.totalJoules!)).toBeLessThan(0.02);
      expect(relative(trafficBytes(a), trafficBytes(b))).toBeLessThan(0.02);
    }
    expect(b.work!.macsPerIteration).toBe(a.work!.macsPerIteration);
    // Every core of the chip is in the unit list, each stage's cores with their stage's figures.
    expect(b.units.length).toBe(a.units.length);
    expect(relative(a.utilisationByKind.systolic!, b.utilisationByKind.systolic!)).toBeLessThan(0.1);
    expect(b.stageChoice).toMatch(/simulated in lockstep/);
  });
});

describe('when lockstep applies', () => {
  const job: SimJob = {
    model: 'resnet9',
    method: 'alr',
    copies: 64,
    batch: 32,
    schedule: 'layer-pipelined',
    hw: 'mesh-1024',
    iterations: 4,
  };
  test('on by default above 256 cores, off below; --lockstep overrides', async () => {
    const mesh = await compileJob(job);
    expect(mesh.tasks.some((t) => t.lockstep)).toBe(true);
    expect(mesh.stageChoice).toMatch(/simulated in lockstep/);
    const small = await compileJob({ ...job, hw: 'multicore-16' });
    expect(small.tasks.some((t) => t.lockstep)).toBe(false);
    expect(small.stageChoice).not.toMatch(/lockstep/);
    expect(lockstepFlag('on')).toEqual({ lockstep: true });
    expect(lockstepFlag('off')).toEqual({ lockstep: false });
    expect(lockstepFlag('auto')).toEqual({});
    expect(() => lockstepFlag('yes')).toThrow(ConfigError);
  });

  test('the mesh-1024 step in lockstep: every core listed, hbm shared by all of them', async () => {
    const r = simulate(await compileJob(job), { iterations: 4, noTimelines: true });
    const cores = new Set(r.units.map((u) => u.core));
    expect(cores.size).toBe(1024);
    const sram = r.traffic.find((t) => t.where === 'sram')!;
    const hbm = r.traffic.find((t) => t.where === 'hbm')!;
    // What moves between sram and hbm is counted once per core, on both sides.
    expect(relative(sram.bytesRead + sram.bytesWritten, hbm.bytesRead + hbm.bytesWritten)).toBeLessThan(0.5);
    expect(r.cycles.steadyStatePerIteration).toBeGreaterThan(0);
  });
});

describe('compare in lockstep', () => {
  const job = { model: 'resnet5', hw: 'multicore-16', copies: 64, batch: 32, iterations: 6 };
  test("on by default where every on-chip level is a core's own; its rows match a task per core", async () => {
    const lock = await runCompare(job);
    const exact = await runCompare({ ...job, lockstep: false });
    expect(lock.lockstep).toBe(true);
    expect(exact.lockstep).toBe(false);
    expect(lock.rows.map((r) => r.schedule)).toEqual(exact.rows.map((r) => r.schedule));
    lock.rows.forEach((r, i) => {
      const e = exact.rows[i]!;
      expect(relative(e.iterationsPerSecond, r.iterationsPerSecond), `${r.method} ${r.schedule}`).toBeLessThan(0.01);
      for (const [level, peak] of Object.entries(e.peakBytesByLevel))
        expect(relative(peak, r.peakBytesByLevel[level]!), `${r.method} ${r.schedule} ${level}`).toBeLessThan(0.02);
    });
  });

  test("off by default where the cores share an on-chip level (gpu-like's L2)", async () => {
    const report = await runCompare({ ...job, model: 'mlp', hw: 'gpu-like', iterations: 2 });
    expect(report.lockstep).toBe(false);
  });
});

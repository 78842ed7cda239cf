// Energy not modelled is not zero: on a model without energy figures (gpu-like) every energy figure
// of the report is null and the text says "not modelled"; multicore-16 keeps its energies; a sweep
// asked to minimise energy on such a model is refused with exit 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { summaryTable } from '../../sim/job.js';
import { simulate } from '../../sim/simulate.js';
import { compile } from '../../src/compiler/compile.js';
import { ConfigError } from '../../src/errors.js';
import { loadHwModel } from '../../src/hw/load.js';
import { buildModel } from '../../src/models/registry.js';
import { prepareSweep } from '../../src/sweep/run-sweep.js';

const root = resolve(import.meta.dirname, '../..');
const mlp = () => buildModel('mlp', { inputShape: [32], hidden: [16], classes: 4 });

function report(hw: string) {
  const step = compile(mlp(), loadHwModel(hw), { method: 'alr', copies: 4, batch: 8, schedule: 'layer-pipelined' });
  return simulate(step, { iterations: 2, timelineLimit: 0 });
}

describe('energy', () => {
  test('gpu-like: every energy figure is null and the text says "not modelled"', () => {
    const r = report('gpu-like');
    const e = r.energy!;
    expect(e.totalJoules).toBeNull();
    expect(e.computeJoules).toBeNull();
    expect(Object.keys(e.byLevelJoules).length).toBeGreaterThan(0);
    for (const v of Object.values(e.byLevelJoules)) expect(v).toBeNull();
    expect(e.notModelled).toEqual(expect.arrayContaining(['compute', 'l1-shared', 'l2', 'hbm2']));
    expect(summaryTable(r)).toMatch(/energy \/ iteration\s+not modelled/);
  });

  test('multicore-16 keeps its energies; its NoC without figures is named, not counted as zero', () => {
    const e = report('multicore-16').energy!;
    expect(e.totalJoules).toBeGreaterThan(0);
    expect(e.computeJoules).toBeGreaterThan(0);
    const levels = (e.byLevelJoules.sram ?? 0) + (e.byLevelJoules.hbm ?? 0);
    expect(e.totalJoules).toBeCloseTo(e.computeJoules! + levels, 15);
    expect(e.notModelled).toEqual(['noc']);
  });

  test('a sweep minimising energy on gpu-like is refused (ConfigError, CLI exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alrflow-energy-'));
    const spec = {
      hw: 'gpu-like',
      models: [{ name: 'mlp', inputShape: [8], hidden: [4], classes: 2 }],
      methods: ['alr'],
      copies: 2,
      schedules: ['sequential'],
      batch: 2,
      iterations: 1,
      objectives: ['throughput', 'energy'],
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    expect(() => prepareSweep(join(dir, 'spec.json'))).toThrow(ConfigError);
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ ...spec, hw: 'multicore-16' }));
    expect(prepareSweep(join(dir, 'ok.json')).points).toHaveLength(1);
    const run = spawnSync(
      process.execPath,
      ['src/cli/alrflow.mjs', 'sweep', '--spec', join(dir, 'spec.json'), '--out', join(dir, 'out')],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('energy not modelled');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

// The sweep spec is validated as strictly as a hardware file: every problem at once, each with its
// JSON path, and the CLI exits 2 on a bad spec.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { prepareSweep } from '../../src/sweep/run-sweep.js';
import { checkSweepSpec, jsonPath, parseSweepSpec } from '../../src/sweep/spec.js';

const root = resolve(import.meta.dirname, '../..');
const good = {
  hw: 'edge-npu',
  models: ['mlp'],
  methods: ['alr'],
  copies: [4, 8],
  schedules: ['sequential'],
  batch: 2,
  iterations: 1,
};

describe('sweep spec', () => {
  test('a good spec normalises one-or-many fields to lists', () => {
    const spec = parseSweepSpec(good, 'spec.json');
    expect(spec.batch).toEqual([2]);
    expect(spec.copies).toEqual([4, 8]);
    expect(spec.hwRanges).toEqual({});
  });

  test('JSON paths name list items and odd keys', () => {
    expect(jsonPath(['copies', 2])).toBe('copies[2]');
    expect(jsonPath(['hwRanges', 'memory[0].capacity', 'min'])).toBe('hwRanges["memory[0].capacity"].min');
  });

  test('every schema problem is reported at once, with its path', () => {
    const checked = checkSweepSpec(
      { ...good, copies: [4, 0], methods: ['alr', 'sgd'], extra: 1, iterations: 'many' },
      'spec.json',
    );
    expect(checked.ok).toBe(false);
    const text = checked.problems.join('\n');
    for (const where of ['copies[1]', 'methods[1]', 'iterations', '"extra"']) expect(text).toContain(where);
    expect(checked.problems.length).toBeGreaterThanOrEqual(4);
  });

  test('a continuous range needs sample mode; step and factor exclude each other', () => {
    const ranges = {
      'memory[0].capacity': { min: '64 KiB', max: '1 MiB' },
      'cores.systolic[0].rows': { min: 8, max: 64, step: 8, factor: 2 },
    };
    const checked = checkSweepSpec({ ...good, hwRanges: ranges }, 'spec.json');
    expect(checked.problems.join('\n')).toMatch(/hwRanges\["memory\[0\]\.capacity"\].*no grid/);
    expect(checked.problems.join('\n')).toMatch(/hwRanges\["cores\.systolic\[0\]\.rows"\].*both "step" and "factor"/);
    expect(
      checkSweepSpec(
        {
          ...good,
          hwRanges: { 'memory[0].capacity': { min: '64 KiB', max: '1024 KiB' } },
          sample: { count: 5, seed: 1 },
        },
        's',
      ).ok,
    ).toBe(true);
    // Two units of one kind are one range (issue 25); two kinds are not.
    expect(
      checkSweepSpec({ ...good, hwRanges: { 'memory[0].capacity': { min: '64 KiB', max: '1 MiB', step: 64 } } }, 's')
        .problems,
    ).toEqual([]);
    expect(
      checkSweepSpec(
        { ...good, hwRanges: { 'memory[0].capacity': { min: '64 KiB', max: '1 GHz', step: 64 } } },
        's',
      ).problems.join(),
    ).toContain('units of different kinds');
  });

  test('hardware values are checked against the base model together with the schema problems', () => {
    let error: unknown;
    try {
      prepareSweep(resolve(root, 'test/fixtures/sweep-bad.json'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.join('\n');
    expect(text).toContain('models');
    expect(text).toContain('copies[1]');
    expect(text).toContain('"colour"');
    expect(text).toContain('hwRanges["cores.systolic[0].rows"][1]');
    expect(text).toContain('hwRanges["memory[0].capacty"]');
  });

  test('the CLI answers a bad spec with exit 2 and every problem, no stack trace', () => {
    const run = spawnSync(
      process.execPath,
      ['src/cli/alrflow.mjs', 'sweep', '--spec', 'test/fixtures/sweep-bad.json', '--out', '/nonexistent/never-created'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(run.stderr).toContain('methods[1]');
    expect(run.stderr).toContain('iterations');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

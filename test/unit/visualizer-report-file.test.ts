// Reading saved reports: valid files of every kind round-trip, and a malformed, truncated, empty or
// unknown file gives a ConfigError naming the file and the problem (never an empty page). Also the
// `alrflow report` command: writes the page, refuses to overwrite without --force, exits 2 on bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runReport } from '../../src/cli/commands/report.js';
import { ConfigError } from '../../src/errors.js';
import { parseReport, readReports } from '../../src/report/report-file.js';
import {
  makeCompareReport,
  makeProbeReport,
  makeSweepReport,
  makeTrainReport,
} from '../fixtures/visualizer-other-reports.js';
import { makeSimReport } from '../fixtures/visualizer-sim-report.js';

const root = resolve(import.meta.dirname, '../..');
const sim = makeSimReport({ cores: 2, iterations: 2, tasksPerIteration: 6 });

function configProblems(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseReport', () => {
  test.each([sim, makeCompareReport(), makeTrainReport(), makeProbeReport(), makeSweepReport()])(
    'a valid $kind round-trips',
    (report) => {
      expect(parseReport(JSON.stringify(report), 'r.json')).toEqual(report);
    },
  );

  test('a truncated file names the file and says it may be truncated', () => {
    const text = JSON.stringify(sim);
    const [problem] = configProblems(() => parseReport(text.slice(0, Math.floor(text.length / 2)), 'runs/a/sim.json'));
    expect(problem).toMatch(/^runs\/a\/sim\.json: not valid JSON .*truncated/);
  });

  test('an empty file says so', () => {
    expect(configProblems(() => parseReport('', 'x.json'))[0]).toMatch(/x\.json: .*empty/);
  });

  test('a wrong field names the file, the kind and the path of the field', () => {
    const bad = { ...sim, timeline: [{ ...sim.timeline[0], start: 'soon' }] };
    const problems = configProblems(() => parseReport(JSON.stringify(bad), 'sim.json'));
    expect(problems.some((p) => p.startsWith('sim.json: sim-report at timeline.0.start:'))).toBe(true);
  });

  test('a missing section is reported, not drawn as an empty chart', () => {
    const { memoryTimeline: _dropped, ...noMemory } = sim;
    expect(configProblems(() => parseReport(JSON.stringify(noMemory), 'sim.json')).join('\n')).toMatch(
      /memoryTimeline/,
    );
  });

  test('an unknown kind lists the allowed kinds', () => {
    expect(configProblems(() => parseReport('{"kind":"weather"}', 'w.json'))[0]).toMatch(
      /w\.json: found kind "weather", allowed: sim-report, compare-report/,
    );
  });
});

describe('readReports and `alrflow report`', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'alrflow-report-'));
    writeFileSync(join(dir, 'sim.json'), JSON.stringify(sim));
    writeFileSync(join(dir, 'compare.json'), JSON.stringify(makeCompareReport()));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ epochs: 3 }));
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ kind: 'sweep-spec', grid: {} }));
  });

  test('a run directory yields every report in it and skips JSON without a report kind', () => {
    const set = readReports(dir);
    expect(Object.keys(set).sort()).toEqual(['compare', 'sim']);
  });

  test('a truncated report in a run directory is an error naming it', () => {
    const bad = mkdtempSync(join(tmpdir(), 'alrflow-report-bad-'));
    writeFileSync(join(bad, 'sim.json'), JSON.stringify(sim).slice(0, 100));
    expect(configProblems(() => readReports(bad))[0]).toContain(join(bad, 'sim.json'));
  });

  test('writes the page and the trace, and refuses to overwrite without --force', async () => {
    const out = join(dir, 'out.html');
    const trace = join(dir, 'trace.json');
    expect(await runReport(dir, { out, trace })).toEqual([out, trace]);
    expect(readFileSync(out, 'utf8')).toContain('alrflow-data');
    expect(JSON.parse(readFileSync(trace, 'utf8')).traceEvents.length).toBeGreaterThan(sim.timeline.length);
    writeFileSync(out, 'keep me');
    await expect(runReport(dir, { out })).rejects.toThrow(/already exists; allowed: a new file; hint: pass --force/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    await runReport(dir, { out, force: true });
    expect(readFileSync(out, 'utf8')).toContain('<!doctype html>');
  });

  test('the command exits 2 with a one-line reason on a malformed file and writes nothing', () => {
    const bad = join(dir, 'broken.txt');
    writeFileSync(bad, '{"kind": "sim-report", "version": 1, "input": {');
    const out = join(dir, 'never.html');
    const run = spawnSync(process.execPath, [join(root, 'src/cli/alrflow.mjs'), 'report', bad, '--out', out], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/broken\.txt: not valid JSON/);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(existsSync(out)).toBe(false);
  });
});

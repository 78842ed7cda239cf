// The results folder: rows appended as they finish, a torn last line (a kill mid-write) cut off on
// resume, a point saved once however often it arrives, and an existing folder never overwritten
// without --resume or --force.
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { readReports } from '../../src/report/report-file.js';
import { ResultsStore } from '../../src/sweep/results-store.js';
import type { PointResult } from '../../src/sweep/types.js';

const opts = { overrideFields: ['memory[0].capacity'], levels: ['sram', 'dram'] };

function row(i: number, extra: Partial<PointResult> = {}): PointResult {
  const point = {
    key: `k${i}`,
    hw: 'edge-npu',
    hwOverrides: { 'memory[0].capacity': `${i} KiB` },
    model: 'mlp',
    method: 'alr',
    copies: i,
    schedule: 'sequential',
    batch: 2,
    iterations: 1,
  };
  return {
    key: point.key,
    point,
    status: 'ok',
    iterationsPerSecond: 100 + i,
    peakMemoryBytes: 1000 * i,
    peakBytesByLevel: { sram: i, dram: 2 * i },
    ...extra,
  };
}

const lines = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('results store', () => {
  test('appends JSONL and CSV rows and records a point once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-store-'));
    const store = ResultsStore.open(dir, opts);
    expect(store.append(row(1))).toBe(true);
    expect(store.append(row(2, { status: 'infeasible', reason: 'noise needs 9 MiB, "sram" has 8, sorry' }))).toBe(true);
    expect(store.append(row(1))).toBe(false);
    expect(lines(store.jsonlPath)).toHaveLength(2);
    const csv = lines(store.csvPath);
    expect(csv).toHaveLength(3);
    expect(csv[0]).toContain('hw:memory[0].capacity');
    expect(csv[2]).toContain('"noise needs 9 MiB, ""sram"" has 8, sorry"');
  });

  test('refuses a folder with results unless --resume or --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-store-'));
    ResultsStore.open(dir, opts).append(row(1));
    expect(() => ResultsStore.open(dir, opts)).toThrow(ConfigError);
    expect(() => ResultsStore.open(dir, opts)).toThrow(/--resume.*--force/);
    expect(ResultsStore.open(dir, { ...opts, resume: true }).size).toBe(1);
    expect(ResultsStore.open(dir, { ...opts, force: true }).size).toBe(0);
  });

  test('a torn last line is discarded on resume and the file stays appendable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-store-'));
    const store = ResultsStore.open(dir, opts);
    for (let i = 1; i <= 3; i++) store.append(row(i));
    const torn = JSON.stringify(row(4)).slice(0, 37);
    appendFileSync(store.jsonlPath, torn);
    const resumed = ResultsStore.open(dir, { ...opts, resume: true });
    expect(resumed.discardedBytes).toBe(Buffer.byteLength(torn));
    expect(resumed.all().map((r) => r.key)).toEqual(['k1', 'k2', 'k3']);
    resumed.append(row(4));
    expect(lines(resumed.jsonlPath).map((l) => (JSON.parse(l) as PointResult).key)).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(lines(resumed.csvPath)).toHaveLength(5);
  });

  test('a bad line before the last one is an error, not silently dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-store-'));
    const store = ResultsStore.open(dir, opts);
    store.append(row(1));
    appendFileSync(store.jsonlPath, 'garbage\n');
    store.append(row(2));
    expect(() => ResultsStore.open(dir, { ...opts, resume: true })).toThrow(/results\.jsonl:2/);
  });

  test('finish marks the front in pareto.json and the CSV pareto column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-store-'));
    const store = ResultsStore.open(dir, opts);
    for (let i = 1; i <= 3; i++) store.append(row(i));
    store.finish(new Set(['k2']), ['iterationsPerSecond', 'peakMemoryBytes']);
    const pareto = JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8')) as { points: PointResult[] };
    expect(pareto.points.map((p) => p.key)).toEqual(['k2']);
    const csv = lines(store.csvPath);
    const col = csv[0]!.split(',').indexOf('pareto');
    expect(csv.slice(1).map((l) => l.split(',').at(col))).toEqual(['false', 'true', 'false']);
    const report = readReports(dir).sweep;
    expect(report?.points.filter((p) => p.pareto)).toHaveLength(1);
  });
});

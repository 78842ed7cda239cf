// The method registry (src/compiler/methods): every method is one entry that the compiler, option
// validation, the CLI's lists and `compare` read; method names are written nowhere else in src,
// kernels, sim and visualizer (the float64 oracle in src/estimators keeps its own on purpose).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { resolveCompileOptions } from '../../src/compiler/compile-options.js';
import { methodHelp, methodNames, methodOf, methodsWith, schedulesFor } from '../../src/compiler/methods/registry.js';
import { usesCopies } from '../../src/compiler/methods/rules.js';
import { compareRows } from '../../sim/compare.js';
import { stepDefaults } from '../../src/cli/step-options.js';

const root = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts)$/.test(name) ? [path] : [];
  });
}

/** Files allowed to spell a method name: the registry itself and the independent oracle. */
const allowed = (file: string): boolean =>
  file.startsWith('src/compiler/methods/') || file.startsWith('src/estimators/');

/** `'lr'` in metrics-log.ts is the learning-rate column, not the method. */
const notMethods = new Set(['src/train/metrics-log.ts:lr']);

function methodLiterals(files: readonly string[]): string[] {
  const pattern = new RegExp(`['"](${methodNames.join('|')})['"]`, 'g');
  return files.flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(pattern)]
      .map((m) => `${file}:${m[1]!}`)
      .filter((hit) => !notMethods.has(hit)),
  );
}

describe('the method registry', () => {
  test('method names are string literals only in the registry (and the oracle), nowhere else in src, kernels, sim, visualizer', () => {
    const files = ['src', 'kernels', 'sim', 'visualizer'].flatMap(sourceFiles).filter((f) => !allowed(f));
    expect(methodLiterals(files)).toEqual([]);
  });

  test('the literal check finds a planted method name', () => {
    expect(methodLiterals(['test/unit/method-registry.test.ts']).length).toBeGreaterThan(0);
    const planted = "if (method === 'alr') return;";
    expect(planted.match(new RegExp(`['"](${methodNames.join('|')})['"]`))?.[1]).toBe('alr');
  });

  test('each entry names itself, is listed in the help, and allows its own default storage', () => {
    for (const m of methodNames) {
      const spec = methodOf(m);
      expect(spec.name).toBe(m);
      expect(methodHelp()).toContain(`${m}: ${spec.summary}`);
      expect(spec.schedules.length).toBeGreaterThan(0);
      expect(spec.schedules, 'the default step schedule of train, simulate and compile').toContain(
        stepDefaults.schedule,
      );
      const options = resolveCompileOptions({ method: m, copies: 4, batch: 8, schedule: spec.schedules[0]! });
      expect(options.copies).toBe(usesCopies(spec) ? 4 : 1);
      if (usesCopies(spec)) expect(options.noiseStorage).toBe(spec.storages[0]);
    }
  });

  test("validation reads each entry's switches: a switch the method does not list is refused, naming those that do", () => {
    for (const m of methodNames) {
      const schedule = schedulesFor(m)[0]!;
      const run = () => resolveCompileOptions({ method: m, copies: 4, batch: 8, schedule, layerwise: true });
      if (methodOf(m).switches.includes('layerwise')) expect(run).not.toThrow();
      else expect(run).toThrow(new RegExp(`--layerwise: applies to ${methodsWith('layerwise').join(' and ')}`));
    }
  });

  test("compare's rows come from the entries: one reference row first, every declared row once", () => {
    const rows = compareRows();
    expect(rows.filter((r) => r.reference)).toHaveLength(1);
    expect(rows[0]!.reference).toBe(true);
    const declared = methodNames.reduce((n, m) => n + methodOf(m).compareRows.length, 0);
    expect(rows).toHaveLength(declared);
    for (const r of rows) expect(schedulesFor(r.method)).toContain(r.schedule);
  });
});

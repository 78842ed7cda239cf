// DESIGN.md's import rules, checked by scanning relative imports: src/ir imports nothing of ours,
// sim/ never imports kernels/ and writes no files, visualizer/ imports only src/report, nothing
// imports src/cli.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts)$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => relative(root, resolve(dirname(join(root, file)), s)));
}

const rules: { from: string; allowed: (target: string) => boolean; why: string }[] = [
  { from: 'src/ir', allowed: (t) => t.startsWith('src/ir'), why: 'src/ir imports nothing of ours' },
  { from: 'sim', allowed: (t) => !t.startsWith('kernels'), why: 'sim/ never imports kernels/' },
  { from: 'visualizer', allowed: (t) => t.startsWith('visualizer') || t.startsWith('src/report'), why: 'visualizer/ reads src/report types only' },
];

test.each(rules)('$why', ({ from, allowed }) => {
  const bad = sourceFiles(from).flatMap((f) => importsOf(f).filter((t) => !allowed(t)).map((t) => `${f} -> ${t}`));
  expect(bad).toEqual([]);
});

test('sim/ writes no files: the CLI writes reports, traces and HTML', () => {
  const writers = /\b(writeFileSync|appendFileSync|createWriteStream|mkdirSync|renameSync)\b|from ['"]node:fs\/promises['"]/;
  const bad = sourceFiles('sim').filter((f) => writers.test(readFileSync(join(root, f), 'utf8')));
  expect(bad).toEqual([]);
});

test('nothing outside src/cli imports src/cli', () => {
  const dirs = ['src', 'kernels', 'sim', 'visualizer'];
  const bad = dirs
    .flatMap((d) => sourceFiles(d))
    .filter((f) => !f.startsWith('src/cli'))
    .flatMap((f) => importsOf(f).filter((t) => t.startsWith('src/cli')).map((t) => `${f} -> ${t}`));
  expect(bad).toEqual([]);
});

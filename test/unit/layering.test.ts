// DESIGN.md's import rules, checked by scanning relative imports (static, dynamic and type-only):
// src/ir imports nothing of ours but the op table (kernels/ops, which imports nothing of ours outside
// itself), sim/ never imports kernels/ and writes no files, kernels/ and the
// training runtime never import src/estimators, visualizer/ imports only src/report, nothing
// imports src/cli, and the import graph has no cycle. The runtime's lines stay under 120 characters
// (prettier, .prettierrc.json), except a message string that cannot be split.
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

/** The repository paths a file's text imports (static, dynamic, type-only and re-exports). */
function importsOfText(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) =>
    relative(root, resolve(dirname(join(root, file)), s))
      .replace(/\.js$/, '.ts')
      .replace(/\.mjs$/, '.mts'),
  );
}

function importsOf(file: string): string[] {
  return importsOfText(file, readFileSync(join(root, file), 'utf8'));
}

const rules: { from: string; allowed: (target: string) => boolean; why: string }[] = [
  {
    from: 'src/ir',
    allowed: (t) => t.startsWith('src/ir') || t.startsWith('kernels/ops/'),
    why: 'src/ir imports nothing of ours but the op table',
  },
  {
    from: 'kernels/ops',
    allowed: (t) => t.startsWith('kernels/ops/'),
    why: 'the op table (kernels/ops) imports nothing of ours outside itself',
  },
  { from: 'sim', allowed: (t) => !t.startsWith('kernels'), why: 'sim/ never imports kernels/' },
  {
    from: 'sim',
    allowed: (t) => !t.startsWith('src/models'),
    why: 'sim/ never imports src/models (it costs the compiled graph; SCALE-Sim layers come as plain data)',
  },
  {
    from: 'src/train',
    allowed: (t) => !t.startsWith('src/models'),
    why: 'src/train never imports src/models (the runtime executes the graph; the compiler reads the network)',
  },
  { from: 'kernels', allowed: (t) => !t.startsWith('src/estimators'), why: 'kernels/ never imports src/estimators' },
  {
    from: 'src/train/runtime',
    allowed: (t) => !t.startsWith('src/estimators'),
    why: 'the runtime never imports src/estimators (the oracle it is checked against)',
  },
  {
    from: 'visualizer',
    allowed: (t) => t.startsWith('visualizer') || t.startsWith('src/report'),
    why: 'visualizer/ reads src/report types only',
  },
];

test.each(rules)('$why', ({ from, allowed }) => {
  const bad = sourceFiles(from).flatMap((f) =>
    importsOf(f)
      .filter((t) => !allowed(t))
      .map((t) => `${f} -> ${t}`),
  );
  expect(bad).toEqual([]);
});

test('the src/models rules catch a planted import: type-only, dynamic or re-exported', () => {
  const modelsRules = rules.filter((r) => r.why.includes('src/models'));
  const planted = [
    { file: 'src/train/runtime/planted.ts', text: "import type { Network } from '../../models/layers.js';" },
    { file: 'src/train/planted.ts', text: "export { buildModel } from '../models/registry.js';" },
    { file: 'sim/planted.ts', text: "const { loadNetwork } = await import('../src/models/load-network.js');" },
  ];
  for (const { file, text } of planted) {
    const rule = modelsRules.find((r) => file.startsWith(r.from))!;
    const targets = importsOfText(file, text);
    expect(targets.length, file).toBe(1);
    expect(
      targets.filter((t) => !rule.allowed(t)),
      file,
    ).toEqual(targets);
  }
  const clean = importsOfText('src/train/planted.ts', "import type { Graph } from '../ir/types.js';");
  expect(clean.filter((t) => !modelsRules[1]!.allowed(t))).toEqual([]);
});

test('sim/ writes no files: the CLI writes reports, traces and HTML', () => {
  const writers =
    /\b(writeFileSync|appendFileSync|createWriteStream|mkdirSync|renameSync)\b|from ['"]node:fs\/promises['"]/;
  const bad = sourceFiles('sim').filter((f) => writers.test(readFileSync(join(root, f), 'utf8')));
  expect(bad).toEqual([]);
});

test('nothing outside src/cli imports src/cli', () => {
  const dirs = ['src', 'kernels', 'sim', 'visualizer'];
  const bad = dirs
    .flatMap((d) => sourceFiles(d))
    .filter((f) => !f.startsWith('src/cli'))
    .flatMap((f) =>
      importsOf(f)
        .filter((t) => t.startsWith('src/cli'))
        .map((t) => `${f} -> ${t}`),
    );
  expect(bad).toEqual([]);
});

/** Every cycle of the import graph, one per strongly connected component, as a path a -> b -> ... -> a. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

test('the cycle detector finds a planted cycle and passes a diamond', () => {
  const diamond = new Map([
    ['a', ['b', 'c']],
    ['b', ['d']],
    ['c', ['d']],
    ['d', []],
  ]);
  expect(importCycles(diamond)).toEqual([]);
  const planted = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', []],
  ]);
  expect(importCycles(planted)).toEqual([['a', 'b', 'c', 'a']]);
  expect(importCycles(new Map([['self', ['self']]]))).toEqual([['self', 'self']]);
});

test('no import cycles among src, kernels, sim and visualizer', () => {
  const files = ['src', 'kernels', 'sim', 'visualizer'].flatMap((d) => sourceFiles(d));
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => files.includes(t))]));
  expect(importCycles(graph).map((c) => c.join(' -> '))).toEqual([]);
});

test('src/train/runtime lines stay under 120 characters, but for a message string on its own line', () => {
  const long = sourceFiles('src/train/runtime').flatMap((f) =>
    readFileSync(join(root, f), 'utf8')
      .split('\n')
      .flatMap((line, i) => (line.length > 120 && !/^\s*[`'"]/.test(line) ? [`${f}:${i + 1}`] : [])),
  );
  expect(long).toEqual([]);
});

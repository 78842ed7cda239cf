// The runtime executes nodes: what it needs of a method is on the graph. K (the copies) has one name
// on the nodes (`copies`) and one place the runtime reads it (copiesOf in exec-context.ts); nothing
// in src/train/runtime reads the graph's meta.copies or re-derives K from another field. No file
// there spells a method name or imports the method registry, the float64 oracle or the networks.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { methodNames } from '../../src/compiler/methods/registry.js';

const root = resolve(import.meta.dirname, '../..');
const runtimeDir = 'src/train/runtime';
const runtimeFiles = readdirSync(join(root, runtimeDir))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(runtimeDir, name));

/** Lines that read a `copies` field, as file: text. */
function copiesReads(files: readonly string[], text: (file: string) => string): string[] {
  return files.flatMap((file) =>
    text(file)
      .split('\n')
      .filter((line) => /\.copies\b/.test(line) && !/^\s*(\/\/|\*)/.test(line))
      .map((line) => `${file}: ${line.trim()}`),
  );
}

const read = (file: string): string => readFileSync(join(root, file), 'utf8');

test("the runtime reads K only through copiesOf (and hands the run's --copies to the compiler)", () => {
  expect(copiesReads(runtimeFiles, read)).toEqual([
    'src/train/runtime/exec-context.ts: return node.copies ?? 1;',
    'src/train/runtime/graph-cache.ts: copies: m.copies,',
  ]);
});

test('the check finds a planted read of K', () => {
  const planted = (file: string): string =>
    file.endsWith('exec-noise.ts') ? `${read(file)}\nconst K = ctx.graph.meta.copies;\n` : read(file);
  expect(copiesReads(runtimeFiles, planted)).toContain(
    'src/train/runtime/exec-noise.ts: const K = ctx.graph.meta.copies;',
  );
});

/** Imports of a file that reach the method registry, the float64 oracle or the network description. */
function methodImports(file: string, text: string): string[] {
  return [...text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)]
    .map((m) => m[1]!)
    .filter((spec) => /compiler\/methods\/(?!names\.js)|\/estimators\/|\/models\//.test(spec))
    .map((spec) => `${file}: ${spec}`);
}

/** Method names written as string literals. */
function methodLiterals(file: string, text: string): string[] {
  const pattern = new RegExp(`['"](${methodNames.join('|')})['"]`, 'g');
  return [...text.matchAll(pattern)].map((m) => `${file}: ${m[1]!}`);
}

test('the runtime does not branch on the method: no method-name literal, nothing of the method registry or the oracle', () => {
  expect(runtimeFiles.flatMap((f) => methodLiterals(f, read(f)))).toEqual([]);
  expect(runtimeFiles.flatMap((f) => methodImports(f, read(f)))).toEqual([]);
});

test('the checks find a planted method branch and a planted registry import', () => {
  expect(methodLiterals('x.ts', "if (graph.meta.method === 'alr') return;")).toEqual(['x.ts: alr']);
  expect(methodImports('x.ts', "import { methodOf } from '../../compiler/methods/registry.js';")).toEqual([
    'x.ts: ../../compiler/methods/registry.js',
  ]);
  expect(methodImports('x.ts', "import type { Method } from '../../compiler/methods/names.js';")).toEqual([]);
});

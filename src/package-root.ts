// The alrflow package's root folder, found by walking up from this module to the package.json named
// "alrflow". The sources (src/...) and the built command (dist/...) sit at different depths, so files
// shipped beside the code (hw-models/, worker entry files run through tsx) are found through this
// rather than a fixed '../..'. It reads nothing else and caches the answer.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

function isAlrflowRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'alrflow';
  } catch {
    return false;
  }
}

/** The package root; an Error when this module was moved out of any alrflow package. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!isAlrflowRoot(dir)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`internal: no alrflow package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  root = dir;
  return dir;
}

/** A path inside the package: packagePath('hw-models', 'edge-npu.json'). */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

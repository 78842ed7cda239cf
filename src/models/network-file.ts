// Reads a network description file (`--model FILE.json`) into a Network: JSON syntax, the strict
// schema (every problem at once, each with its JSON path), then shapes (each layer accepts its
// input, the last gives `classes` outputs, layer names unique). A missing file says "file not found".
import { readFileSync } from 'node:fs';
import { ConfigError, InvalidInputError } from '../errors.js';
import { formatIssues } from '../hw/format-issues.js';
import type { Network } from './layers.js';
import { networkFileSchema } from './network-schema.js';
import { modelFileKinds, modelNames } from './registry.js';
import { inferShapes, sequenceOutputShape } from './shapes.js';
import { duplicateKeyProblems, stripBom } from '../json-text.js';

function readText(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new ConfigError([
        `${option}: ${path}: file not found; allowed: a shipped model name (${modelNames.join(', ')}), ${modelFileKinds}`,
      ]);
    throw new ConfigError([`${option}: ${path}: cannot read the file (${code ?? String(err)})`]);
  }
}

/** Shape problems (inferShapes also refuses a name used twice) and the last layer's output count. */
function shapeProblems(network: Network): string[] {
  const problems: string[] = [];
  const attempt = (check: () => void): void => {
    try {
      check();
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      problems.push(err.message);
    }
  };
  attempt(() => inferShapes(network));
  attempt(() => {
    const out = sequenceOutputShape(network.layers, network.inputShape);
    if (out.length > 2 || out.at(-1) !== network.classes)
      problems.push(
        `layers: the last layer outputs [${out.join(', ')}], allowed: [${network.classes}] (classes) or [tokens, ${network.classes}]`,
      );
  });
  return [...new Set(problems)];
}

/** Parses and checks the text of a network file; `label` names it in messages. */
export function parseNetworkText(raw: string, label: string): Network {
  const text = stripBom(raw);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${label}: malformed JSON: ${(err as Error).message}`]);
  }
  const duplicates = duplicateKeyProblems(text);
  if (duplicates.length > 0) throw new ConfigError(duplicates.map((p) => `${label}: ${p}`));
  const parsed = networkFileSchema.safeParse(data);
  if (!parsed.success)
    throw new ConfigError(
      formatIssues(parsed.error.issues, data, networkFileSchema).map((p) => `${label}: ${p.path}: ${p.message}`),
    );
  const { $schema: _, ...network } = parsed.data;
  const problems = shapeProblems(network);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${label}: ${p}`));
  return network;
}

export function loadNetworkFile(path: string, option = '--model'): Network {
  return parseNetworkText(readText(path, option), path);
}

// `--model FILE.json`: a network description validated by a strict zod schema (every problem at once
// with its JSON path, then shapes), its JSON Schema kept in step with the zod one, a missing file
// that says "file not found", and a described network that compiles and simulates like a shipped one.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadNetwork } from '../../src/models/load-network.js';
import { parseNetworkText } from '../../src/models/network-file.js';
import { networkJsonSchemaText, networkSchemaPath } from '../../src/models/network-json-schema.js';
import { buildModel } from '../../src/models/registry.js';
import { runSimJob } from '../../sim/job.js';
import { configProblems } from '../fixtures/config-problems.js';

const dir = mkdtempSync(join(tmpdir(), 'alrflow-model-file-'));
const problems = (text: string): string[] => configProblems(() => parseNetworkText(text, 'net.json'));

test('src/models/network.schema.json is what z.toJSONSchema makes of the zod schema (rerun: npx tsx src/models/network-json-schema.ts)', () => {
  expect(readFileSync(networkSchemaPath, 'utf8')).toBe(networkJsonSchemaText());
});

test('a shipped network written out as JSON loads back equal and simulates to the same cycles', async () => {
  const net = buildModel('cnn');
  const file = join(dir, 'cnn.json');
  writeFileSync(file, JSON.stringify(net));
  expect(await loadNetwork(file)).toEqual(net);
  const job = { method: 'alr', copies: 4, batch: 4, schedule: 'sequential', hw: 'edge-npu', iterations: 1 } as const;
  const [fromFile, shipped] = [await runSimJob({ ...job, model: file }), await runSimJob({ ...job, model: 'cnn' })];
  expect(fromFile.cycles.total).toBe(shipped.cycles.total);
});

test('a missing file says "file not found"; an unknown name lists the shipped ones', async () => {
  await expect(loadNetwork('/missing/file.json')).rejects.toThrow(/--model: \/missing\/file\.json: file not found/);
  await expect(loadNetwork('missing.csv')).rejects.toThrow(/missing\.csv: file not found/);
  await expect(loadNetwork('vgg')).rejects.toThrow(/unknown model "vgg"; allowed: mlp, cnn, resnet5, resnet9/);
});

test('every schema problem at once with its JSON path; then shapes, names and the class count', () => {
  const bad = problems(
    JSON.stringify({
      name: 'x',
      inputShape: [8],
      classes: 0,
      extra: 1,
      layers: [
        { kind: 'lin', name: 'a' },
        { kind: 'relu', name: 'r', size: 2 },
      ],
    }),
  );
  expect(bad.map((p) => p.split(': ')[1]).sort()).toEqual(
    ['classes', 'extra', 'layers[0].kind', 'layers[1].size'].sort(),
  );
  const shapes = problems(
    JSON.stringify({
      name: 'x',
      inputShape: [8],
      classes: 3,
      layers: [{ kind: 'linear', name: 'a', inFeatures: 9, outFeatures: 4 }],
    }),
  );
  expect(shapes).toEqual([expect.stringMatching(/layer a \(linear\): input shape \[8\] does not fit/)]);
  const tail = problems(
    JSON.stringify({
      name: 'x',
      inputShape: [8],
      classes: 3,
      layers: [
        { kind: 'linear', name: 'a', inFeatures: 8, outFeatures: 4 },
        { kind: 'relu', name: 'a' },
      ],
    }),
  );
  expect(tail).toEqual([
    'net.json: layer name a is used twice; names must be unique',
    'net.json: layers: the last layer outputs [4], allowed: [3] (classes) or [tokens, 3]',
  ]);
  expect(problems('{"name": ')[0]).toMatch(/^net\.json: malformed JSON/);
});

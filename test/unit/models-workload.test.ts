// Workload numbers: parameters and exact forward multiply-accumulates per sample, by hand on a small
// network with a residual block, and through `alrflow models NAME|FILE --json`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { Network } from '../../src/models/layers.js';
import { mlp } from '../../src/models/builders.js';
import { workloadOf } from '../../src/models/workload.js';
import { buildCli } from '../fixtures/built-cli.js';

const cli = buildCli();
afterAll(() => cli.remove());

const conv = (name: string, inChannels: number, outChannels: number, stride = 1) =>
  ({ kind: 'conv2d', name, inChannels, outChannels, kernelSize: 3, stride, padding: 1 }) as const;

const small: Network = {
  name: 'small',
  inputShape: [3, 8, 8],
  classes: 10,
  layers: [
    conv('c1', 3, 4),
    { kind: 'batchnorm', name: 'bn1', channels: 4 },
    { kind: 'residual', name: 'res', body: [conv('res.c', 4, 4), { kind: 'relu', name: 'res.relu' }] },
    conv('c2', 4, 8, 2),
    { kind: 'maxpool', name: 'pool', size: 2, stride: 2 },
    { kind: 'flatten', name: 'flat' },
    { kind: 'linear', name: 'fc', inFeatures: 32, outFeatures: 10 },
  ],
};

test('forward MACs count every conv (residual bodies included) and linear layer exactly', () => {
  const c1 = 4 * 8 * 8 * 3 * 9;
  const res = 4 * 8 * 8 * 4 * 9;
  const c2 = 8 * 4 * 4 * 4 * 9;
  const fc = 32 * 10;
  const w = workloadOf(small);
  expect(w.forwardMacsPerSample).toBe(c1 + res + c2 + fc);
  expect(w.paramLayers).toBe(5);
  expect(w.parameters).toBe(3 * 4 * 9 + 4 + 8 + 4 * 4 * 9 + 4 + 4 * 8 * 9 + 8 + 32 * 10 + 10);
});

test('an MLP does one MAC per weight', () => {
  expect(workloadOf(mlp([784, 256, 10])).forwardMacsPerSample).toBe(784 * 256 + 256 * 10);
});

test('models NAME|FILE --json prints parameters, paramLayers and forwardMacsPerSample', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'alrflow-models-')), 'small.json');
  writeFileSync(
    file,
    JSON.stringify({ name: small.name, inputShape: small.inputShape, classes: small.classes, layers: small.layers }),
  );
  const fromFile = cli.run(['models', file, '--json']);
  expect(fromFile.status, fromFile.stderr).toBe(0);
  expect(JSON.parse(fromFile.stdout)).toEqual([
    expect.objectContaining({ name: file, parameters: workloadOf(small).parameters, forwardMacsPerSample: 21_056 }),
  ]);
  const shipped = cli.run(['models', 'mlp', '--json']);
  expect(JSON.parse(shipped.stdout)).toEqual([
    expect.objectContaining({ name: 'mlp', paramLayers: 2, forwardMacsPerSample: 203_264 }),
  ]);
  const unknown = cli.run(['models', 'vgg']);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/unknown model "vgg"/);
});

// The training runtime's chained kernel calls skip the finiteness scan of a noise-inject-signs output
// only when kernels/registry-chain.ts proves it finite: a skipped scan could never have thrown. A
// sigma large enough to overflow float32 is not proven and the next call still raises the same
// InvalidInputError; calls without `chained` (tests, CLI, parity suites) scan everything.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openBackend, type KernelRunner } from '../../kernels/registry.js';
import { provenFiniteOutput } from '../../kernels/registry-chain.js';
import { InvalidInputError } from '../../src/errors.js';

const [rows, channels, spatial] = [4, 32, 1];
let runner: KernelRunner;

beforeAll(async () => {
  runner = await openBackend('tfjs-wasm');
});
afterAll(async () => {
  await runner.dispose();
});

function noiseArgs(sigmaValue: number, zValue = 0.5) {
  return {
    z: new Float32Array(rows * channels * spatial).fill(zValue),
    sigma: new Float64Array(channels).fill(sigmaValue),
    rows,
    channels,
    spatial,
    seed: 1,
    step: 0,
    layer: 0,
    rowOffset: 0,
  };
}

const activation = (z: Float32Array | Float64Array) => ({
  z,
  bias: new Float64Array(channels),
  rows,
  channels,
  spatial,
  activation: 'relu' as const,
});

test('a small sigma and z prove the output finite; large ones do not', async () => {
  const small = noiseArgs(0.1);
  const out = (await runner.run('noise-inject-signs', small)).out;
  expect(provenFiniteOutput('noise-inject-signs', small, out)).toBe(out.out);
  for (const args of [noiseArgs(1e37), noiseArgs(0.1, 2e37)])
    expect(provenFiniteOutput('noise-inject-signs', args, (await runner.run('noise-inject-signs', args)).out)).toBe(
      null,
    );
  expect(provenFiniteOutput('sign-pack', { values: out.out }, { words: new Uint32Array(4) } as never)).toBe(null);
});

test('an overflowing noisy output still raises InvalidInputError at the next chained call', async () => {
  const noisy = (await runner.run('noise-inject-signs', noiseArgs(1e38, 3e38), true)).out.out;
  expect(noisy.some((v) => !Number.isFinite(v))).toBe(true);
  const bad = noisy.findIndex((v) => !Number.isFinite(v));
  await expect(runner.runResident('bias-activation', activation(noisy), true)).rejects.toThrow(InvalidInputError);
  await expect(runner.run('bias-activation', activation(noisy))).rejects.toThrow(
    `bias-activation: z[${bad}] = ${noisy[bad]}`,
  );
});

test('only the next chained call skips the scan; direct calls scan a proven output', async () => {
  const noisy = (await runner.run('noise-inject-signs', noiseArgs(0.1), true)).out.out;
  const result = await runner.runResident('bias-activation', activation(noisy), true);
  expect(result.out).toBeDefined();
  // Made non-finite behind the registry's back: an unchained call, or a chained one after another call, scans it.
  const nan = (await runner.run('noise-inject-signs', noiseArgs(0.1), true)).out.out;
  nan[5] = Number.NaN;
  await expect(runner.run('bias-activation', activation(nan))).rejects.toThrow('bias-activation: z[5] = NaN');
  await runner.run('noise-inject-signs', noiseArgs(0.1), true);
  await runner.run('sign-pack', { values: new Float32Array(8) }, true);
  await expect(runner.run('bias-activation', activation(nan), true)).rejects.toThrow('bias-activation: z[5] = NaN');
});

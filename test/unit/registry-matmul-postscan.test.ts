// The matmul family's finiteness check on IEEE backends scans the output and rescans the inputs
// only on a hit (kernels/registry-checks.ts proves it equivalent): a NaN or +-Infinity in either
// argument, at any position, still raises InvalidInputError naming that argument and index, on
// every variant; finite inputs whose product overflows pass as before; GPU-mode checks and the
// no-backend form keep the pre-dispatch scan.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openBackend, type KernelRunner } from '../../kernels/registry.js';
import { registryChecks } from '../../kernels/registry-checks.js';
import { InvalidInputError } from '../../src/errors.js';

const BAD = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
const VARIANTS = ['matmul', 'matmul-at-b', 'matmul-a-bt'] as const;
const runners: KernelRunner[] = [];

beforeAll(async () => {
  // reference keeps the pre-scan (its messages are the baseline the post-scan must reproduce).
  runners.push(await openBackend('tfjs-wasm'), await openBackend('reference'));
});
afterAll(async () => {
  for (const r of runners) await r.dispose();
});

test('a non-finite value in a or b at any position is named, on every variant and IEEE backend', async () => {
  const [m, k, n] = [3, 4, 2];
  for (const runner of runners) {
    for (const variant of VARIANTS) {
      for (const arg of ['a', 'b'] as const) {
        const length = arg === 'a' ? m * k : k * n;
        for (const bad of BAD) {
          for (let at = 0; at < length; at++) {
            // Zeros elsewhere: Inf * 0 = NaN is the case the proof needs, not only Inf * y = Inf.
            const args = { a: new Float32Array(m * k), b: new Float32Array(k * n), m, k, n };
            args[arg][at] = bad;
            const run = runner.run(variant, args);
            await expect(run, `${runner.backend} ${variant} ${arg}[${at}] = ${bad}`).rejects.toThrow(InvalidInputError);
            await expect(runner.run(variant, args)).rejects.toThrow(`${variant}: ${arg}[${at}] = ${bad}`);
          }
        }
      }
    }
  }
});

test('float64 inputs: the first bad index is named even when several are bad', async () => {
  for (const runner of runners) {
    const a = new Float64Array(6).fill(0.5);
    a[4] = Number.NaN;
    a[2] = Number.NEGATIVE_INFINITY;
    await expect(runner.run('matmul-a-bt', { a, b: new Float64Array(6).fill(1), m: 2, k: 3, n: 2 })).rejects.toThrow(
      'matmul-a-bt: a[2] = -Infinity',
    );
  }
});

test('finite inputs whose product overflows float32 pass (the rescan finds nothing)', async () => {
  const runner = runners[0]!;
  const big = new Float32Array(4).fill(3e38);
  const r = await runner.run('matmul', { a: big, b: big, m: 2, k: 2, n: 2 });
  expect(Number.isFinite(r.out[0]!)).toBe(false);
});

test('without a backend (and so for GPU modes) the scan still runs before dispatch', () => {
  const a = new Float32Array(4);
  a[3] = Number.NaN;
  expect(() => registryChecks('matmul', { a, b: new Float32Array(4), m: 2, k: 2, n: 2 })).toThrow('matmul: a[3] = NaN');
  expect(() => registryChecks('matmul', { a, b: new Float32Array(4), m: 2, k: 2, n: 2 }, 'webgpu')).toThrow(
    'matmul: a[3] = NaN',
  );
  // On an IEEE backend the pre-check passes and returns the output check, which rescans on a non-finite output.
  const post = registryChecks('matmul', { a, b: new Float32Array(4), m: 2, k: 2, n: 2 }, 'tfjs-wasm');
  expect(post).not.toBeNull();
  expect(() => post!(Float32Array.of(Number.NaN, Number.NaN, 0, 0))).toThrow('matmul: a[3] = NaN');
});

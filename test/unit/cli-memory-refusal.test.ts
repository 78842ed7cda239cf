// demo and probe refuse sizes beyond memory like train: exit 3 within seconds, a message with the
// bytes needed and the memory available, no stack trace (without the guards, --copies 100000000
// ends in a RangeError, exit 1). The probe guard's count grows with K and refuses against a small
// available memory, and passes a probe that fits.
import { afterAll, expect, test } from 'vitest';
import { cosineTableBytes } from '../../src/estimators/cosine-table.js';
import { mlp } from '../../src/models/builders.js';
import { guardProbeMemory, probeMemoryBytes } from '../../src/train/probe-memory.js';
import type { MethodOptions } from '../../src/train/runtime/step-types.js';
import { buildCli } from '../fixtures/built-cli.js';
import { stepSource } from '../../src/compiler/step-source.js';

const cli = buildCli();
afterAll(() => cli.remove());

test.each([
  ['demo', ['demo', '--copies', '10,100000000']],
  ['probe', ['probe', '--model', 'mlp', '--dataset', 'iris', '--copies', '100000000', '--backend', 'reference']],
])('%s --copies 100000000 exits 3 within seconds, saying what it needs', (name, args) => {
  const started = Date.now();
  const r = cli.run(args);
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(r.status, r.stderr).toBe(3);
  expect(r.stderr).toMatch(new RegExp(`^alrflow: ${name}: .*needs [0-9.]+ TiB .* available`));
  expect(r.stderr).not.toMatch(/\n\s+at /);
});

const run = (method: 'lr' | 'alr', copies: number): MethodOptions => ({
  method,
  copies,
  sigma: 0.1,
  baseline: 'mean',
  encoding: 'sign-noise',
  antithetic: false,
  layerwise: false,
});

test('the probe count grows with K, and the guard refuses only what does not fit', () => {
  const net = mlp([4, 8, 3], 'relu');
  const small = probeMemoryBytes(stepSource(net), [run('lr', 4)], 8).bytes;
  const large = probeMemoryBytes(stepSource(net), [run('lr', 4), run('lr', 4000)], 8);
  expect(large.bytes).toBeGreaterThan(small);
  expect(large.run.copies).toBe(4000);
  expect(() => guardProbeMemory(stepSource(net), [run('lr', 4000)], 8, 64 * 2 ** 30)).not.toThrow();
  expect(() => guardProbeMemory(stepSource(net), [run('lr', 4000)], 8, large.bytes)).toThrow(
    /probe: LR with K=4000, batch 8 needs/,
  );
});

test('the demo count is linear in the largest K', () => {
  const at = (k: number): number => cosineTableBytes({ copies: [10, k] });
  expect(at(20_000) - at(10_000)).toBe(at(30_000) - at(20_000));
  expect(at(20_000) - at(10_000)).toBe(10_000 * 16 * 69 * 8 * 3);
});

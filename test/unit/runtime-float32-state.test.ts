// The runtime keeps a float32 kernel's updated parameters and optimizer state as float32 arrays between
// steps and widens them to float64 only when its state is read (src/train/runtime/float32-state.ts).
// On tfjs-wasm (float32 kernels): reading the state after every step, or exporting it mid-run and
// importing it into a new runtime, leaves every later loss and parameter bit-identical to a run that
// never read it, and the float64 state read equals the float32 values the update produced. The same
// holds where the state stays in TF.js between steps (residency on: a BP step's default there), read
// after syncHost() as a checkpoint reads it.
import { describe, expect, it } from 'vitest';
import { mlp } from '../../src/models/builders.js';
import { stepSource } from '../../src/compiler/step-source.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import type { Batch } from '../../src/train/runtime/step-types.js';
import { methodOptions } from '../fixtures/runtime-options.js';

const STEPS = 4;

function batchOf(samples: number, width: number): Batch {
  let s = 7;
  const next = (): number => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 30 - 1;
  return {
    x: Float64Array.from({ length: samples * width }, next),
    labels: Int32Array.from({ length: samples }, (_, i) => i % 3),
    samples,
  };
}

const batch = batchOf(8, 6);

const make = (optimizer: 'sgd' | 'adam', resident: boolean): Promise<Runtime> =>
  Runtime.create({
    resident,
    network: stepSource(mlp([6, 5, 3])),
    backend: 'tfjs-wasm',
    seed: 3,
    method: methodOptions('bp', 1),
    optimizer: { kind: optimizer, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  });

/** Losses of steps [from, to) and the parameters after them; `read` runs after each step. */
async function run(
  runtime: Runtime,
  from: number,
  to: number,
  read: () => Promise<void> | void = () => {},
): Promise<number[]> {
  const losses: number[] = [];
  for (let step = from; step < to; step++) {
    losses.push((await runtime.trainStep(batch, step, 0.1)).meanLoss);
    await read();
  }
  return losses;
}

const cases = [
  ['sgd', false],
  ['adam', false],
  ['sgd', true],
  ['adam', true],
] as const;

describe.each(cases)('float32 state on tfjs-wasm, %s, resident %s', (optimizer, resident) => {
  it('reading the state after every step changes no later loss or parameter', async () => {
    const quiet = await make(optimizer, resident);
    const reader = await make(optimizer, resident);
    try {
      const a = await run(quiet, 0, STEPS);
      expect(quiet.residency().resident).toBe(resident);
      const seen: Float64Array[] = [];
      const b = await run(reader, 0, STEPS, async () => {
        await reader.syncHost();
        seen.push(reader.params['fc1']!.weights);
        expect(reader.optimizerState.get('fc1')!.length).toBeGreaterThan(0);
        expect(reader.finite()).toBe(true);
      });
      expect(b).toEqual(a);
      await quiet.syncHost();
      expect(reader.params).toEqual(quiet.params);
      expect(reader.optimizerState).toEqual(quiet.optimizerState);
      // Each step's parameters are float32 values, and each read kept its own step's values.
      const last = seen.at(-1)!;
      expect(Float64Array.from(Float32Array.from(last))).toEqual(last);
      expect(seen[0]).not.toEqual(last);
    } finally {
      await quiet.dispose();
      await reader.dispose();
    }
  });

  it('a state exported mid-run and imported into a new runtime resumes bit-identically', async () => {
    const whole = await make(optimizer, resident);
    const first = await make(optimizer, resident);
    const second = await make(optimizer, resident);
    try {
      const a = await run(whole, 0, STEPS);
      const head = await run(first, 0, STEPS / 2);
      await first.syncHost();
      const saved = first.exportState();
      second.importState(saved.arrays, saved.optimizerUpdates);
      const tail = await run(second, STEPS / 2, STEPS);
      expect([...head, ...tail]).toEqual(a);
      await Promise.all([second.syncHost(), whole.syncHost()]);
      expect(second.params).toEqual(whole.params);
      expect(second.optimizerState).toEqual(whole.optimizerState);
    } finally {
      await whole.dispose();
      await first.dispose();
      await second.dispose();
    }
  });
});

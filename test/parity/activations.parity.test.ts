// Parity of every activation of the op table (kernels/ops/activations.ts), forward (fused bias +
// activation) and BP backward, on every backend that works here against the float64 reference,
// on fast-check-drawn layouts with pre-activations in [-6, 6). A new activation is tested here by
// its table entry alone. Tolerances follow float32 error models stated at each assertion.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES } from '../../kernels/ops/activations.js';
import { referenceTable } from '../../kernels/registry-reference.js';
import {
  backendsUnderTest,
  disposeRunners,
  expectClose,
  f32Data,
  runnerFor,
  suiteName,
  U32,
} from './parity-backends.js';

const backends = await backendsUnderTest();
afterAll(disposeRunners);

const layout = fc.record({
  rows: fc.integer({ min: 1, max: 9 }),
  channels: fc.integer({ min: 1, max: 9 }),
  spatial: fc.integer({ min: 1, max: 13 }),
  seed: fc.nat(),
});

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    it.each(ACTIVATION_NAMES)(
      'bias-activation %s matches the reference within 8u|z + b| + 1e-6',
      async (activation) => {
        const runner = await runnerFor(status.backend);
        await fc.assert(
          fc.asyncProperty(layout, async ({ rows, channels, spatial, seed }) => {
            const z = f32Data(rows * channels * spatial, seed).map((v) => 6 * v);
            const args = { z, bias: f32Data(channels, seed + 1), rows, channels, spatial, activation };
            const got = await runner.run('bias-activation', args);
            expect(got.backend).toBe(status.backend);
            const want = await referenceTable['bias-activation'](args);
            const pre = await referenceTable['bias-activation']({ ...args, activation: 'none' });
            // One rounding of z + b, then a float32 activation of a few ulp whose slope is at most 1.1.
            expectClose(got.out, want, (i) => 8 * U32 * Math.abs(pre[i]!) + 1e-6, `${activation} ${rows}x${channels}`);
          }),
          { numRuns: 8 },
        );
      },
    );

    it.each(ACTIVATION_NAMES)(
      'activation-backward %s matches the reference within 16u|dy|(1 + |x|) + 1e-6',
      async (activation) => {
        const runner = await runnerFor(status.backend);
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.nat(), async (length, seed) => {
            const args = { dy: f32Data(length, seed), x: f32Data(length, seed + 1).map((v) => 6 * v), activation };
            const got = await runner.run('activation-backward', args);
            expect(got.backend).toBe(status.backend);
            const want = await referenceTable['activation-backward'](args);
            // dy f'(x): f' evaluated in float32 (exp and tanh of a few ulp, times terms up to 1 + |x|).
            const tol = (i: number): number => 16 * U32 * Math.abs(args.dy[i]!) * (1 + Math.abs(args.x[i]!)) + 1e-6;
            expectClose(got.out, want, tol, `${activation} backward, ${length} elements`);
          }),
          { numRuns: 8 },
        );
      },
    );
  });
}

// Parity of the graph executor's conv-net kernels (add, copy-sum, batchnorm with given statistics,
// max/avg pool, pool backward, conv2d backward data and weights) on every backend that works here
// against the float64 reference. Kernels a backend runs with the reference code must say so: the
// registry stamps them `reference`; the others must be stamped with the backend itself.
import { afterAll, describe, expect, it } from 'vitest';
import type { KernelArgs, KernelName } from '../../kernels/names.js';
import { referenceTable } from '../../kernels/registry-reference.js';
import { backendsUnderTest, disposeRunners, expectClose, f32Data, runnerFor, suiteName, U32 } from './parity-backends.js';

const backends = await backendsUnderTest();
afterAll(disposeRunners);

const dims = { batch: 2, inChannels: 3, height: 6, width: 5, outChannels: 4, kernelSize: 3, stride: 1, padding: 1 };
const pool = { rows: 2, channels: 3, height: 6, width: 6, size: 2, stride: 2 };
const x = f32Data(2 * 3 * 6 * 6, 3);
const cases: { [K in KernelName]?: KernelArgs[K] } = {
  add: { a: f32Data(50, 1), b: f32Data(50, 2) },
  'copy-sum': { x: f32Data(3 * 4 * 7, 4), samples: 3, copies: 4, width: 7 },
  batchnorm: { x: f32Data(2 * 3 * 5, 5), gamma: f32Data(3, 6), beta: f32Data(3, 7), mean: f32Data(3, 8), variance: Float64Array.of(0.5, 1, 2), rows: 2, channels: 3, spatial: 5 },
  pool: { x, op: 'max', dims: pool },
  'pool-backward': { dy: f32Data(2 * 3 * 3 * 3, 9), x, op: 'max', dims: pool },
  'conv2d-backward-data': { dy: f32Data(2 * 4 * 6 * 5, 10), weights: f32Data(4 * 3 * 9, 11), dims },
  'conv2d-backward-weights': { dy: f32Data(2 * 4 * 6 * 5, 12), x: f32Data(2 * 3 * 6 * 5, 13), dims },
};

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    for (const [name, args] of Object.entries(cases) as [KernelName, never][]) {
      it(`${name} matches the reference within 64 u (values are O(1), reductions at most 60 terms)`, async () => {
        const runner = await runnerFor(status.backend);
        const got = await runner.run(name, args);
        expect([status.backend, 'reference']).toContain(got.backend);
        if (got.backend === 'reference') expect(got.engine).toMatch(/no .* version/);
        const want = await (referenceTable[name] as (a: never) => Promise<unknown>)(args);
        const parts = (o: unknown): ArrayLike<number>[] => (ArrayBuffer.isView(o) ? [o as unknown as ArrayLike<number>] : Object.values(o as object));
        parts(got.out).forEach((g, i) => expectClose(g as Float64Array, parts(want)[i] as Float64Array, () => 64 * U32 * 60, `${name} part ${i}`));
      });
    }
  });
}

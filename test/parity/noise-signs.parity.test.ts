// The in-kernel sign words of the counter noise (kernels/gpujs/noise-signs.ts) equal the reference's
// packed signs bit for bit on every gpu.js mode that works here (the GPU path's code, run on the CPU
// modes too), for element counts on and off a multiple of 32, and differ for another step's noise.
import { describe, expect, it } from 'vitest';
import { detectBackend } from '../../kernels/backends.js';
import { GpujsContext } from '../../kernels/gpujs/gpujs-context.js';
import { noiseSigns } from '../../kernels/gpujs/noise-signs.js';
import { referenceTable } from '../../kernels/registry-reference.js';

const shapes = [
  { rows: 1, channels: 1, spatial: 1 },
  { rows: 3, channels: 5, spatial: 7 },
  { rows: 64, channels: 32, spatial: 1 },
  { rows: 9, channels: 4, spatial: 9 },
];

for (const mode of ['webasm', 'cpu', 'headlessgl'] as const) {
  describe(`noise signs in-kernel on ${mode}`, () => {
    it('match the reference packed signs of eps bit for bit', async (t) => {
      const status = await detectBackend(mode);
      if (!status.works) t.skip(`${mode}: ${status.reason}`);
      const ctx = new GpujsContext(mode);
      for (const [i, s] of shapes.entries()) {
        const args = {
          ...s,
          z: new Float64Array(s.rows * s.channels * s.spatial),
          sigma: new Float64Array(s.channels).fill(1),
          seed: 7 + i,
          step: 3,
          layer: 1,
          rowOffset: 5,
        };
        const want = (await referenceTable['noise-inject-signs'](args)).signs;
        expect(Array.from(await noiseSigns(ctx, args)), JSON.stringify(s)).toEqual(Array.from(want));
        const other = (await referenceTable['noise-inject-signs']({ ...args, step: 4 })).signs;
        if (want.length > 1) expect(Array.from(await noiseSigns(ctx, args))).not.toEqual(Array.from(other));
      }
      await ctx.destroy();
    });
  });
}

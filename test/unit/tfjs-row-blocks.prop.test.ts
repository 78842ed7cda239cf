// Properties of how the tfjs-wasm pool cuts a call into row chunks (kernels/tfjs/row-blocks.ts), for
// fast-check-drawn row counts, part counts and sign-word granules: the chunks tile [0, rows) in
// order with no gap or overlap, there are at most `parts` and never an empty one, every boundary
// but the end falls on a granule, and a noise chunk of whole granules starts on a 32-bit word.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { rowBlocks, signWordGranule } from '../../kernels/tfjs/row-blocks.js';

test.prop([fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 64 })])(
  'chunks tile the rows on granule boundaries',
  (rows, parts, granule) => {
    const blocks = rowBlocks(rows, parts, granule);
    expect(blocks.length).toBeLessThanOrEqual(parts);
    expect(blocks.length).toBe(rows === 0 ? 0 : Math.min(parts, Math.ceil(rows / granule)));
    let next = 0;
    for (const { r0, r1 } of blocks) {
      expect(r0).toBe(next);
      expect(r1).toBeGreaterThan(r0);
      expect(r0 % granule).toBe(0);
      next = r1;
    }
    expect(next).toBe(rows);
  },
);

test.prop([fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 1000 })])(
  'a whole number of sign-word granules of rows fills whole 32-bit words',
  (units, granules) => {
    const g = signWordGranule(units);
    expect((granules * g * units) % 32).toBe(0);
    // The smallest such granule: half of it would not fill whole words (unless it is 1 row).
    if (g > 1) expect(((g / 2) * units) % 32).not.toBe(0);
  },
);

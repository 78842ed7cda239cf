// peaksByInstance (sim/occupancy.ts) against a brute force: the most bytes live at any cycle, an
// interval live on [from, to) (a free and an allocation at one cycle do not overlap), on drawn
// intervals of whole bytes (the packed native sort) and of fractional bytes (the sweep).
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { intervalsOf, peaksByInstance, type Interval } from '../../sim/occupancy.js';

function brutePeak(ivs: Interval[]): number {
  const cycles = [...new Set(ivs.flatMap((iv) => [iv.from, iv.to]))];
  return Math.max(0, ...cycles.map((t) => ivs.reduce((s, iv) => s + (iv.from <= t && t < iv.to ? iv.bytes : 0), 0)));
}

// far: cycles so large that cycle x ends does not fit a double's 53 bits (a long run on a big chip),
// so the ends are ordered by the radix sort instead of the packed native sort.
const interval = (whole: boolean, far = false) =>
  fc
    .record({
      key: fc.constantFrom('sram@0', 'hbm@-1'),
      bytes: whole ? fc.integer({ min: 1, max: 1 << 20 }) : fc.double({ min: 0.5, max: 1e6, noNaN: true }),
      from: fc.integer({ min: 0, max: 50 }),
      length: fc.integer({ min: 0, max: 30 }),
    })
    .map(({ key, bytes, from, length }): Interval => {
      const at = (c: number) => (far ? 2 ** 50 + c * 2 ** 33 + (c % 3) : c);
      return { key, cls: 'activation', bytes, from: at(from), to: at(from + length) };
    });

test.each([
  [true, false],
  [false, false],
  [true, true],
  [false, true],
])('peak per instance equals the brute force (whole bytes: %s, cycles beyond packing: %s)', (whole, far) => {
  fc.assert(
    fc.property(fc.array(interval(whole, far), { minLength: 1, maxLength: 40 }), (ivs) => {
      const peaks = peaksByInstance(intervalsOf(ivs));
      for (const [key, peak] of peaks) {
        const expected = brutePeak(ivs.filter((iv) => iv.key === key));
        expect(peak).toBeCloseTo(expected, whole ? 10 : 3);
        if (whole) expect(peak).toBe(expected);
      }
    }),
  );
});

// peaksByInstance (sim/occupancy.ts) against a brute force: the most bytes live at any cycle, an
// interval live on [from, to) (a free and an allocation at one cycle do not overlap), on drawn
// intervals of whole bytes (the packed native sort) and of fractional bytes (the sweep).
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { intervalsOf, peaksByInstance, repeatingIterations, type Interval } from '../../sim/occupancy.js';

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

// Repeated rows (the steady state's iterations, sim/occupancy-ends.ts): a row standing for `repeat`
// lifetimes shifted by whole periods gives the same peak, to the last bit, as the lifetimes written out
// (fractional bytes: the running sum visits the ends in the same order), with singles among them.
const repeated = (whole: boolean) =>
  fc.record({
    iv: interval(whole),
    repeat: fc.integer({ min: 1, max: 6 }),
  });

test.each([true, false])('repeated rows give the peak of the rows written out (whole bytes: %s)', (whole) => {
  fc.assert(
    fc.property(
      fc.array(repeated(whole), { minLength: 1, maxLength: 30 }),
      fc.integer({ min: 1, max: 40 }),
      (rows, period) => {
        const written = rows.flatMap(({ iv, repeat }) =>
          Array.from({ length: repeat }, (_, j) => ({ ...iv, from: iv.from + j * period, to: iv.to + j * period })),
        );
        const compact = peaksByInstance(
          intervalsOf(
            rows.map(({ iv, repeat }) => ({ ...iv, repeat })),
            period,
          ),
        );
        expect(compact).toEqual(peaksByInstance(intervalsOf(written)));
      },
    ),
  );
});

test('the repeating iterations are the longest run of iterations shifted by one period', () => {
  // Two tasks; iterations 2..6 repeat 1 shifted by 100 cycles, 7 drains faster, 8 repeats 7 by 90.
  const starts = [0, 40, 150, 250, 350, 450, 550, 650, 720, 810];
  const start = Float64Array.from(starts.flatMap((s) => [s, s + 10]));
  const end = Float64Array.from(starts.flatMap((s) => [s + 10, s + 30]));
  expect(repeatingIterations(2, start, end, 10)).toEqual({ from: 2, to: 7, period: 100 });
  expect(repeatingIterations(2, start, end, 4)).toEqual({ from: 4, to: 4, period: 0 });
  // A fractional cycle breaks the run: its sums would not be exact when shifted.
  start[2 * 4] = 350.5;
  expect(repeatingIterations(2, start, end, 10)).toEqual({ from: 5, to: 7, period: 100 });
});

// Ends at one cycle are visited frees first, then by change, then by interval (short runs sorted in
// place, long ones by rank): with fractional bytes the running sum is the same float, to the last bit,
// as a sort of every end by that comparator.
function orderedPeak(ivs: Interval[]): number {
  const ends = ivs.flatMap((iv, i) => [
    { at: iv.from, d: iv.bytes, index: 2 * i },
    { at: iv.to, d: -iv.bytes, index: 2 * i + 1 },
  ]);
  ends.sort((x, y) => x.at - y.at || x.d - y.d || x.index - y.index);
  let live = 0;
  let peak = 0;
  ends.forEach((e, k) => {
    live += e.d;
    if (k + 1 === ends.length || ends[k + 1]!.at !== e.at) peak = Math.max(peak, live);
  });
  return peak;
}

test('ends at one cycle are summed in the comparator order (runs short and long)', () => {
  const crowded = fc
    .record({
      bytes: fc.oneof(fc.constantFrom(0.1, 0.2, 0.3, 1e6 + 0.7), fc.double({ min: 0.5, max: 1e6, noNaN: true })),
      from: fc.integer({ min: 0, max: 3 }),
      length: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ bytes, from, length }): Interval => ({ key: 'sram@0', cls: 'activation', bytes, from, to: from + length }));
  fc.assert(
    fc.property(fc.array(crowded, { minLength: 1, maxLength: 60 }), (ivs) => {
      expect(peaksByInstance(intervalsOf(ivs)).get('sram@0')).toBe(orderedPeak(ivs));
    }),
  );
});

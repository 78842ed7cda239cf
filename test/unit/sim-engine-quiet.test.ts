// The engine's wake-up heap (sim/engine-quiet.ts) hands units back in order of their wake-up cycle,
// whatever the order they were pushed in, and quietCycles tells a task only waiting out whole cycles.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { quietCycles, WakeHeap } from '../../sim/engine-quiet.js';
import type { InFlight } from '../../sim/units/memory-service.js';

test('the heap pops wake-up cycles in ascending order, each unit once', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 200 }), (cycles) => {
      const heap = new WakeHeap();
      cycles.forEach((c, unit) => heap.push(c, unit));
      const popped: number[] = [];
      while (heap.size > 0) {
        popped.push(heap.pop());
      }
      expect(popped.map((u) => cycles[u])).toEqual([...cycles].sort((a, b) => a - b));
      expect([...popped].sort((a, b) => a - b)).toEqual(cycles.map((_, u) => u));
      expect(heap.first()).toBe(Infinity);
    }),
  );
});

const flight = (phase: 0 | 1 | 2, left: number, bytes: number): InFlight => ({
  phase,
  latencyLeft: phase === 0 ? left : 0,
  computeLeft: phase === 2 ? left : 0,
  instance: Int32Array.of(0),
  bytesLeft: Float64Array.of(bytes),
  overlapped: Uint8Array.of(1),
  weight: Float64Array.of(1),
});

test('quiet: a whole latency, or whole compute with no demand in flight; not a transfer or a fraction', () => {
  expect(quietCycles(flight(0, 120, 64))).toBe(120);
  expect(quietCycles(flight(0, 2.5, 64))).toBe(-1);
  expect(quietCycles(flight(2, 300, 0))).toBe(300);
  expect(quietCycles(flight(2, 300, 64))).toBe(-1);
  expect(quietCycles(flight(2, 0.5, 0))).toBe(-1);
  expect(quietCycles(flight(1, 0, 64))).toBe(-1);
});

// Properties of the layouts on arbitrary timelines and memory samples (not only the fixture's tidy
// ones): overlapping tasks, units that appear only in the timeline, unsorted input. One bar per task,
// contiguous rows sorted by start, bars inside the axis; down-sampling keeps the peak and the ends.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import type { MemorySample, TimelineEntry } from '../../src/report/sim-report.js';
import { layoutGantt } from '../../visualizer/layout-gantt.js';
import { reduceSamples } from '../../visualizer/layout-memory.js';
import { makeSimReport } from '../fixtures/visualizer-sim-report.js';

const entryArb: fc.Arbitrary<TimelineEntry> = fc
  .record({
    core: fc.integer({ min: -1, max: 3 }),
    unit: fc.constantFrom('pe', 'vec', 'link', 'dma'),
    start: fc.integer({ min: 0, max: 10_000 }),
    length: fc.integer({ min: 0, max: 500 }),
    op: fc.constantFrom('matmul', 'relu', 'send'),
    phase: fc.constantFrom('forward', 'gradient', 'update'),
    iteration: fc.nat(5),
    microBatch: fc.nat(3),
    bytes: fc.nat(1 << 20),
  })
  .map(({ length, ...e }) => ({ ...e, end: e.start + length, node: `${e.op}.${e.start}` }));

const base = makeSimReport({ cores: 1, iterations: 1, tasksPerIteration: 1 });

test.prop([fc.array(entryArb, { maxLength: 200 })])(
  'one bar per task in contiguous, start-sorted rows inside the axis',
  (timeline) => {
    const g = layoutGantt({ ...base, units: [], timeline });
    expect(g.bars.row).toHaveLength(timeline.length);
    expect(g.rows.reduce((s, r) => s + r.barCount, 0)).toBe(timeline.length);
    expect(new Set(g.rows.map((r) => `${r.core}/${r.unit}`)).size).toBe(g.rows.length);
    for (const row of g.rows) {
      for (let i = row.firstBar + 1; i < row.firstBar + row.barCount; i++)
        expect(g.bars.startCycles[i]!).toBeGreaterThanOrEqual(g.bars.startCycles[i - 1]!);
    }
    for (let i = 0; i < g.bars.row.length; i++) expect(g.bars.endCycles[i]!).toBeLessThanOrEqual(g.totalCycles);
  },
);

const sampleArb: fc.Arbitrary<MemorySample> = fc.record({
  cycle: fc.nat(100_000),
  bytesByClass: fc.record({ weight: fc.nat(1 << 20), activation: fc.nat(1 << 20) }, { requiredKeys: [] }),
});
const total = (s: MemorySample): number => Object.values(s.bytesByClass).reduce((a, b) => a + (b ?? 0), 0);

test.prop([fc.array(sampleArb, { minLength: 1, maxLength: 400 }), fc.integer({ min: 3, max: 100 })])(
  'reduceSamples keeps the peak, both ends, and at most maxPoints',
  (samples, maxPoints) => {
    const reduced = reduceSamples(samples, maxPoints);
    const sorted = [...samples].sort((a, b) => a.cycle - b.cycle);
    expect(reduced.length).toBeLessThanOrEqual(Math.max(maxPoints, 0));
    expect(Math.max(...reduced.map(total))).toBe(Math.max(...samples.map(total)));
    expect(reduced[0]!.cycle).toBe(sorted[0]!.cycle);
    expect(reduced.at(-1)!.cycle).toBe(sorted.at(-1)!.cycle);
    for (let i = 1; i < reduced.length; i++) expect(reduced[i]!.cycle).toBeGreaterThanOrEqual(reduced[i - 1]!.cycle);
  },
);

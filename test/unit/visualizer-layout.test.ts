// Unit tests of the visualizer's pure layout functions: one Gantt bar per task on a time axis that
// spans the total cycles, memory stacks that stay under capacity unless the report flags an
// overflow (and peaks that survive down-sampling), and the compare/train/probe/sweep shapes.
import { describe, expect, test } from 'vitest';
import type { MemorySample, SimReport } from '../../src/report/sim-report.js';
import { layoutCompare } from '../../visualizer/layout-compare.js';
import { layoutGantt } from '../../visualizer/layout-gantt.js';
import { layoutMemory, reduceSamples } from '../../visualizer/layout-memory.js';
import { layoutPareto } from '../../visualizer/layout-pareto.js';
import { layoutProbeCurves } from '../../visualizer/layout-probe-curves.js';
import { layoutTrainCurves } from '../../visualizer/layout-train-curves.js';
import { layoutUnitBars } from '../../visualizer/layout-unit-bars.js';
import { makeCompareReport, makeProbeReport, makeSweepReport, makeTrainReport } from '../fixtures/visualizer-other-reports.js';
import { makeSimReport } from '../fixtures/visualizer-sim-report.js';

const sizes = [
  { cores: 1, iterations: 1, tasksPerIteration: 1 },
  { cores: 3, iterations: 4, tasksPerIteration: 9 },
  { cores: 16, iterations: 10, tasksPerIteration: 30 },
];

describe('layoutGantt', () => {
  test.each(sizes)('one bar per task, each the task it came from ($cores x $iterations x $tasksPerIteration)', (size) => {
    const report = makeSimReport(size);
    const g = layoutGantt(report);
    expect(g.bars.row).toHaveLength(report.timeline.length);
    const fromBars = g.bars.row.map((r, i) => `${g.rows[r]!.core}/${g.rows[r]!.unit}/${g.bars.startCycles[i]}/${g.bars.endCycles[i]}/${g.strings[g.bars.op[i]!]}`);
    const fromTimeline = report.timeline.map((e) => `${e.core}/${e.unit}/${e.start}/${e.end}/${e.op}`);
    expect(fromBars.sort()).toEqual(fromTimeline.sort());
  });

  test.each(sizes)('the time axis spans 0 .. total cycles and holds every bar ($cores cores)', (size) => {
    const report = makeSimReport(size);
    const g = layoutGantt(report);
    expect(g.totalCycles).toBe(report.cycles.total);
    expect(Math.min(...g.bars.startCycles)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...g.bars.endCycles)).toBe(report.cycles.total);
  });

  test('rows are contiguous and sorted by start, and maxDurationCycles bounds every bar in the row', () => {
    const g = layoutGantt(makeSimReport({ cores: 4, iterations: 3, tasksPerIteration: 20 }));
    let next = 0;
    for (const [r, row] of g.rows.entries()) {
      expect(row.firstBar).toBe(next);
      next += row.barCount;
      for (let i = row.firstBar; i < row.firstBar + row.barCount; i++) {
        expect(g.bars.row[i]).toBe(r);
        if (i > row.firstBar) expect(g.bars.startCycles[i]!).toBeGreaterThanOrEqual(g.bars.startCycles[i - 1]!);
        expect(g.bars.endCycles[i]! - g.bars.startCycles[i]!).toBeLessThanOrEqual(row.maxDurationCycles);
      }
    }
    expect(next).toBe(g.bars.row.length);
  });

  test('a timeline holding only the first iterations keeps the full axis and says how many it holds', () => {
    const report = makeSimReport({ cores: 2, iterations: 5, tasksPerIteration: 4 });
    const firstTwo = { ...report, timeline: report.timeline.filter((e) => e.iteration < 2) };
    const g = layoutGantt(firstTwo);
    expect(g.totalCycles).toBe(report.cycles.total);
    expect([g.iterationsShown, g.iterationsTotal]).toEqual([2, 5]);
    expect(g.timelineEndCycles).toBe(Math.max(...firstTwo.timeline.map((e) => e.end)));
    expect(g.timelineEndCycles).toBeLessThan(g.totalCycles);
  });

  test('the axis still covers a task that ends after cycles.total (a producer inconsistency)', () => {
    const report = makeSimReport({ cores: 2, iterations: 1, tasksPerIteration: 3 });
    const late = { ...report, cycles: { ...report.cycles, total: report.cycles.total - 10 } };
    expect(layoutGantt(late).totalCycles).toBe(report.cycles.total);
  });
});

const maxTop = (tops: number[][]): number => Math.max(0, ...(tops.at(-1) ?? []));

describe('layoutMemory', () => {
  test('every level of the report gets a panel, with every instance', () => {
    const report = makeSimReport({ cores: 5, iterations: 2, tasksPerIteration: 6 });
    const m = layoutMemory(report);
    expect(m.levels.map((l) => l.level).sort()).toEqual([...new Set(report.memoryTimeline.map((t) => t.level))].sort());
    expect(m.levels.reduce((s, l) => s + l.instances.length, 0)).toBe(report.memoryTimeline.length);
  });

  test('without a flagged overflow no stack top exceeds capacity', () => {
    const m = layoutMemory(makeSimReport({ cores: 8, iterations: 10, tasksPerIteration: 30 }));
    for (const inst of m.levels.flatMap((l) => l.instances)) {
      expect(inst.overflowReported).toBe(false);
      expect(maxTop(inst.tops)).toBeLessThanOrEqual(inst.capacityBytes);
      expect(inst.exceedsCapacity).toBe(false);
    }
  });

  test('with a flagged overflow exactly the flagged instance exceeds capacity, and survives down-sampling', () => {
    const report = makeSimReport({ cores: 4, iterations: 20, tasksPerIteration: 30, overflow: true });
    const m = layoutMemory(report, 50);
    const instances = m.levels.flatMap((l) => l.instances);
    for (const inst of instances) {
      expect(inst.cycles.length).toBeLessThanOrEqual(50);
      expect(maxTop(inst.tops) <= inst.capacityBytes || inst.overflowReported).toBe(true);
    }
    expect(instances.filter((i) => i.exceedsCapacity).map((i) => `${i.level}/${i.core}`)).toEqual(['sram/0']);
  });

  test('an overflow the report does not flag is marked so the page can warn', () => {
    const report = makeSimReport({ cores: 2, iterations: 2, tasksPerIteration: 8, overflow: true });
    const unflagged: SimReport = { ...report, memory: report.memory.map((m) => ({ ...m, overflow: false })) };
    const inst = layoutMemory(unflagged).levels.flatMap((l) => l.instances).find((i) => i.exceedsCapacity)!;
    expect(inst.overflowReported).toBe(false);
  });

  test('stack tops are cumulative sums of the classes, bottom band first', () => {
    const report = makeSimReport({ cores: 1, iterations: 1, tasksPerIteration: 5 });
    const inst = layoutMemory(report).levels.find((l) => l.level === 'sram')!.instances[0]!;
    const samples = report.memoryTimeline.find((t) => t.level === 'sram')!.samples;
    samples.forEach((s, i) => {
      const total = Object.values(s.bytesByClass).reduce((a, b) => a + (b ?? 0), 0);
      expect(inst.tops.at(-1)![i]).toBe(total);
      expect(inst.tops[0]![i]).toBe(s.bytesByClass[inst.classes[0]!]);
    });
  });

  test('reduceSamples keeps the first, last and largest samples and at most maxPoints', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => ({ cycle: i, bytesByClass: { activation: (i * 7919) % 1009 } }));
    const reduced = reduceSamples(samples, 40);
    const total = (s: MemorySample): number => s.bytesByClass.activation ?? 0;
    expect(reduced.length).toBeLessThanOrEqual(40);
    expect(reduced[0]!.cycle).toBe(0);
    expect(reduced.at(-1)!.cycle).toBe(999);
    expect(Math.max(...reduced.map(total))).toBe(Math.max(...samples.map(total)));
  });
});

describe('the other layouts', () => {
  test('unit bars: one bar per unit with its utilisation, and every stall cause', () => {
    const report = makeSimReport({ cores: 3, iterations: 2, tasksPerIteration: 10 });
    const [util, stalls] = layoutUnitBars(report);
    expect(util.bars).toHaveLength(report.units.length);
    expect(util.bars.map((b) => b.value).sort()).toEqual(report.units.map((u) => u.utilisation).sort());
    expect(stalls.bars.map((b) => b.value)).toEqual([report.stalls.latency, report.stalls.bandwidth, report.stalls.capacity, report.stalls.contention, report.stalls.dependency, report.stalls['pipeline-bubble']]);
  });

  test('compare: grouped cells match the rows, absent combinations are null', () => {
    const report = makeCompareReport();
    const { bars, table } = layoutCompare(report);
    const ratio = bars.find((b) => b.id === 'compare-ratio')!;
    for (const row of report.rows) expect(ratio.values[ratio.groups.indexOf(row.method)]![ratio.series.indexOf(row.schedule)]).toBe(row.ratioToBp);
    expect(ratio.values.flat().filter((v) => v === null)).toHaveLength(ratio.groups.length * ratio.series.length - report.rows.length);
    expect(table.rows).toHaveLength(report.rows.length);
  });

  test('train: one panel per metric, one line per method, only the steps that recorded it', () => {
    const report = makeTrainReport(20);
    const panels = layoutTrainCurves(report);
    expect(panels.map((p) => p.yLabel).sort()).toEqual(['test.accuracy', 'train.loss']);
    const acc = panels.find((p) => p.yLabel === 'test.accuracy')!;
    expect(acc.series).toHaveLength(report.curves.length);
    expect(acc.series[0]!.points).toHaveLength(report.curves[0]!.points.filter((p) => p.metrics['test.accuracy'] !== undefined).length);
  });

  test('probe: cosine and norm-ratio panels with the layers as ticks', () => {
    const report = makeProbeReport();
    const [cosine, norm] = layoutProbeCurves(report);
    expect(cosine.xTicks).toEqual(report.runs[0]!.layers.map((l) => l.layer));
    expect(cosine.series.map((s) => s.points.map((p) => p[1]))).toEqual(report.runs.map((r) => r.layers.map((l) => l.cosineToBp)));
    expect(norm.series).toHaveLength(report.runs.length);
  });

  test('pareto: the front is exactly the flagged points, sorted by memory', () => {
    const report = makeSweepReport();
    const panel = layoutPareto(report);
    expect(panel.front.map((i) => report.points[i]!.pareto)).toEqual(panel.front.map(() => true));
    expect(panel.front).toHaveLength(report.points.filter((p) => p.pareto).length);
    const xs = panel.front.map((i) => panel.points[i]!.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(panel.points[0]!.label).toContain('copies=16');
  });
});

// Unit tests of the visualizer's pure layout functions: one Gantt bar per task on a time axis that
// spans the total cycles, memory stacks that stay under capacity unless the report flags an
// overflow (and peaks that survive down-sampling), the sim tables, and the compare/train/probe/sweep shapes.
import { describe, expect, test } from 'vitest';
import { type MemorySample, type SimReport, stallCauses } from '../../src/report/sim-report.js';
import { formatBytes, needsLog } from '../../visualizer/format.js';
import { layoutCompare } from '../../visualizer/layout-compare.js';
import { layoutGantt } from '../../visualizer/layout-gantt.js';
import { layoutMemory, reduceSamples } from '../../visualizer/layout-memory.js';
import { layoutPareto, paretoTable } from '../../visualizer/layout-pareto.js';
import { layoutProbeCurves } from '../../visualizer/layout-probe-curves.js';
import { coreRanges, simSummary, stageTable } from '../../visualizer/layout-sim-tables.js';
import { layoutTrainCurves, metricWords, trainSummary } from '../../visualizer/layout-train-curves.js';
import { layoutUnitBars } from '../../visualizer/layout-unit-bars.js';
import {
  makeCompareReport,
  makeProbeReport,
  makeSweepReport,
  makeTrainReport,
} from '../fixtures/visualizer-other-reports.js';
import { makeSimReport } from '../fixtures/visualizer-sim-report.js';

const sizes = [
  { cores: 1, iterations: 1, tasksPerIteration: 1 },
  { cores: 3, iterations: 4, tasksPerIteration: 9 },
  { cores: 16, iterations: 10, tasksPerIteration: 30 },
];

describe('layoutGantt', () => {
  test.each(sizes)(
    'one bar per task, each the task it came from ($cores x $iterations x $tasksPerIteration)',
    (size) => {
      const report = makeSimReport(size);
      const g = layoutGantt(report);
      expect(g.bars.row).toHaveLength(report.timeline.length);
      const fromBars = g.bars.row.map(
        (r, i) =>
          `${g.rows[r]!.core}/${g.rows[r]!.unit}/${g.bars.startCycles[i]}/${g.bars.endCycles[i]}/${g.strings[g.bars.op[i]!]}`,
      );
      const fromTimeline = report.timeline.map((e) => `${e.core}/${e.unit}/${e.start}/${e.end}/${e.op}`);
      expect(fromBars.sort()).toEqual(fromTimeline.sort());
    },
  );

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
    const inst = layoutMemory(unflagged)
      .levels.flatMap((l) => l.instances)
      .find((i) => i.exceedsCapacity)!;
    expect(inst.overflowReported).toBe(false);
  });

  test("the simulator's verdict is said in words: spills with its share of accesses, over capacity", () => {
    const report = makeSimReport({ cores: 2, iterations: 2, tasksPerIteration: 8 });
    const memory = report.memory.map((m) =>
      m.level === 'sram' && m.core === 1
        ? { ...m, overflow: true, verdict: 'spills' as const, spillFraction: 0.25 }
        : m,
    );
    const notes = layoutMemory({ ...report, memory }).levels.flatMap((l) =>
      l.instances.map((i) => [`${i.level}/${i.core}`, i.verdictNote]),
    );
    expect(notes.filter(([, n]) => n !== undefined)).toEqual([
      ['sram/1', 'spills: the excess lives on the next level (25.0 % of the accesses also go there)'],
    ]);
    const over = layoutMemory(makeSimReport({ cores: 2, iterations: 2, tasksPerIteration: 8, overflow: true }));
    expect(over.levels.flatMap((l) => l.instances).find((i) => i.exceedsCapacity)!.verdictNote).toContain(
      'over capacity',
    );
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
    const samples = Array.from({ length: 1000 }, (_, i) => ({
      cycle: i,
      bytesByClass: { activation: (i * 7919) % 1009 },
    }));
    const reduced = reduceSamples(samples, 40);
    const total = (s: MemorySample): number => s.bytesByClass.activation ?? 0;
    expect(reduced.length).toBeLessThanOrEqual(40);
    expect(reduced[0]!.cycle).toBe(0);
    expect(reduced.at(-1)!.cycle).toBe(999);
    expect(Math.max(...reduced.map(total))).toBe(Math.max(...samples.map(total)));
  });
});

describe('the other layouts', () => {
  test('unit bars: one bar per unit with its utilisation; cycle shares on the base of the total cycles', () => {
    const report = makeSimReport({ cores: 3, iterations: 2, tasksPerIteration: 10 });
    const [util, cycles] = layoutUnitBars(report);
    expect(util.bars).toHaveLength(report.units.length);
    expect(util.bars.map((b) => b.value).sort()).toEqual(report.units.map((u) => u.utilisation).sort());
    expect(cycles.bars.map((b) => b.label)).toEqual(['compute', ...stallCauses]);
    const sum = cycles.bars.reduce((s, b) => s + b.value, 0);
    expect(sum).toBeCloseTo(report.cycles.total, 6);
    expect(cycles.maxValue).toBe(report.cycles.total);
    expect(cycles.note).toContain(report.cycles.total.toLocaleString('en-US'));
  });

  test('sim tables: bound, weight reuse, energy or "not modelled", and one stage row per stage', () => {
    const base = makeSimReport({ cores: 4, iterations: 2, tasksPerIteration: 6 });
    const report: SimReport = {
      ...base,
      weights: { onChipBytes: 3 * 2 ** 20, offChipBytes: 1536, offChipReadBytesPerIteration: 0 },
      stages: [
        { index: 0, layers: ['fc1'], cores: [0, 1, 2], estimatedCycles: 1000, simulatedCycles: 1500 },
        { index: 1, layers: ['relu1', 'fc2'], cores: [3], estimatedCycles: 800, simulatedCycles: 400 },
      ],
    };
    const rows = Object.fromEntries(simSummary(report).rows.map(([k, v]) => [k, v]));
    expect(rows['weight reuse']).toContain('3 MiB held on-chip');
    expect(rows['weight reuse']).toContain('1.5 KiB off-chip');
    expect(rows.bound).toContain(`simulated / bound ${report.bound.ratio.toFixed(2)}`);
    const noEnergy: SimReport = {
      ...report,
      energy: {
        totalJoules: null,
        byLevelJoules: { sram: null },
        computeJoules: null,
        notModelled: ['compute', 'sram'],
      },
    };
    expect(Object.fromEntries(simSummary(noEnergy).rows)['energy']).toContain('not modelled');
    const stages = stageTable(report);
    expect(stages.rows).toEqual([
      ['0', 'fc1', '0–2', '1,000', '1,500', '1.50'],
      ['1', 'relu1, fc2', '3', '800', '400', '0.50'],
    ]);
    expect(coreRanges([5, 0, 1, 2, 7, 8])).toBe('0–2, 5, 7–8');
    const chosen: SimReport = {
      ...report,
      coreChoice: {
        available: 32,
        used: 16,
        candidates: [
          { cores: 32, cyclesPerIteration: 7331000 },
          { cores: 16, cyclesPerIteration: 6450000 },
          { cores: 8, cyclesPerIteration: null },
        ],
      },
    };
    expect(Object.fromEntries(simSummary(chosen).rows)['cores']).toBe(
      '16 of 32 used (fewer cores are faster for this step); tried 32: 7,331,000, 16: 6,450,000, 8: infeasible cycles per iteration',
    );
    expect(simSummary(report).rows.some(([k]) => k === 'cores')).toBe(false);
  });

  test('compare: one bar per run, the ratio on a log axis, a chart per memory level, bytes in binary units', () => {
    const report = makeCompareReport();
    const { bars, table } = layoutCompare(report);
    const ratio = bars.find((b) => b.id === 'compare-ratio')!;
    expect(ratio.axis).toMatchObject({ unit: 'ratio', log: true });
    expect(ratio.bars.map((b) => b.value)).toEqual(report.rows.map((r) => r.ratioToBp));
    const levels = [...new Set(report.rows.flatMap((r) => Object.keys(r.peakBytesByLevel)))];
    expect(bars.filter((b) => b.axis.unit === 'bytes').map((b) => b.title)).toEqual(
      levels.map((l) => `Peak ${l} per run`),
    );
    expect(table.rows).toHaveLength(report.rows.length);
    expect(table.rows[0]).toContain(formatBytes(report.rows[0]!.peakBytesByLevel.sram!));
    expect(table.rows.flat().some((c) => /^\d{5,}$/.test(c))).toBe(false);
  });

  test('compare: an infeasible run says so beside each of its bars, and ratios keep three digits', () => {
    const report = makeCompareReport();
    const rows = report.rows.map((r, i) =>
      i === 2
        ? {
            ...r,
            iterationsPerSecond: 0,
            ratioToBp: 0,
            peakBytesByLevel: {},
            utilisation: 0,
            infeasible: 'sram: 2 MiB over',
          }
        : { ...r, ratioToBp: 0.02083 },
    );
    const { bars, table } = layoutCompare({ ...report, rows });
    for (const panel of bars) expect(panel.bars[2]!.note).toBe('infeasible');
    expect(bars.flatMap((p) => p.bars.filter((b, i) => i !== 2 && b.note !== undefined))).toEqual([]);
    expect(table.rows[0]![3]).toBe('0.0208');
    expect(table.rows[2]!.slice(2, 4)).toEqual(['infeasible', '–']);
  });

  test('compare: each level chart shows its capacity (a line when on scale) and the verdict beside spilling bars', () => {
    const report = makeCompareReport();
    const rows = report.rows.map((r, i) => ({
      ...r,
      levels: [
        {
          level: 'sram',
          capacityBytes: 256 * 1024,
          peakBytes: r.peakBytesByLevel.sram!,
          verdict: i === 1 ? ('spills' as const) : ('fits' as const),
        },
        { level: 'dram', capacityBytes: 2 ** 34, peakBytes: r.peakBytesByLevel.dram!, verdict: 'fits' as const },
      ],
    }));
    const { bars } = layoutCompare({ ...report, rows });
    const sram = bars.find((b) => b.title.startsWith('Peak sram'))!;
    expect(sram.reference).toEqual({ value: 256 * 1024, label: 'capacity 256 KiB' });
    expect(sram.bars.map((b) => b.note)).toEqual(rows.map((_, i) => (i === 1 ? 'full: spills' : undefined)));
    const dram = bars.find((b) => b.title.startsWith('Peak dram'))!;
    expect(dram.reference).toBeUndefined();
    expect(dram.title).toBe('Peak dram per run (capacity 16 GiB, off scale)');
  });

  test('needsLog: a log axis only when the values span more than 30x', () => {
    expect(needsLog([0.03, 1, 0.5])).toBe(true);
    expect(needsLog([0.5, 1, 0.9, 0])).toBe(false);
    expect(formatBytes(1205760)).toBe('1.15 MiB');
  });

  test('train: panels in words with train and test together, x from step 0, and a run summary', () => {
    const report = makeTrainReport(20);
    const panels = layoutTrainCurves(report);
    expect(panels.map((p) => p.title.split(' (')[0])).toEqual(['Loss', 'Accuracy']);
    for (const p of panels) expect(p.xDomain).toEqual([0, 19]);
    const acc = panels.find((p) => p.id === 'train-accuracy')!;
    expect(acc.yAxis.unit).toBe('fraction');
    expect(acc.series).toHaveLength(report.curves.length);
    expect(acc.series[0]!.points).toHaveLength(
      report.curves[0]!.points.filter((p) => p.metrics['test.accuracy'] !== undefined).length,
    );
    const summary = trainSummary(report);
    expect(summary.rows.map((r) => r[0])).toEqual(report.curves.map((c) => c.method));
    const lastAcc = report.curves[1]!.points.filter((p) => p.metrics['test.accuracy'] !== undefined).at(-1)!.metrics[
      'test.accuracy'
    ]!;
    expect(summary.rows[1]![summary.columns.indexOf('test accuracy')]).toBe(`${(lastAcc * 100).toFixed(1)} %`);
    expect(metricWords('train.batchLoss')).toBe('train batch loss');
  });

  test('probe: cosine and norm-ratio panels with the layers as ticks', () => {
    const report = makeProbeReport();
    const [cosine, norm] = layoutProbeCurves(report);
    expect(cosine.xTicks).toEqual(report.runs[0]!.layers.map((l) => l.layer));
    expect(cosine.series.map((s) => s.points.map((p) => p[1]))).toEqual(
      report.runs.map((r) => r.layers.map((l) => l.cosineToBp)),
    );
    expect(norm.series).toHaveLength(report.runs.length);
  });

  test('pareto: the front is exactly the flagged points, sorted by memory', () => {
    const report = makeSweepReport();
    const panel = layoutPareto(report);
    expect(panel.front.map((i) => panel.points[i]!.highlighted)).toEqual(panel.front.map(() => true));
    expect(panel.front).toHaveLength(report.points.filter((p) => p.pareto).length);
    const xs = panel.front.map((i) => panel.points[i]!.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(panel.points[0]!.label).toContain('copies=16');
  });

  test('pareto: configurations with the same results share one point and one table row', () => {
    const report = makeSweepReport();
    const twin = report.points.find((p) => p.pareto)!;
    const doubled = {
      ...report,
      parameters: [...report.parameters, 'sram'],
      points: [
        ...report.points.map((p) => ({ ...p, parameters: { ...p.parameters, sram: '64 KiB' } })),
        { ...twin, parameters: { ...twin.parameters, sram: '512 KiB' } },
      ],
    };
    const panel = layoutPareto(doubled);
    expect(panel.points).toHaveLength(report.points.length);
    expect(panel.points.filter((p) => p.count === 2)).toHaveLength(1);
    const table = paretoTable(doubled);
    expect(table.rows).toHaveLength(report.points.filter((p) => p.pareto).length);
    expect(new Set(table.rows.map((r) => r.join('/'))).size).toBe(table.rows.length);
    expect(table.rows.some((r) => r.includes('64 KiB | 512 KiB'))).toBe(true);
  });
});

// Checks writeChromeTrace's output against the Trace Event Format (JSON object form): required
// fields on every event, a named thread track per unit, counter tracks per memory level instance,
// and non-decreasing timestamps per track. The checker is also run on a deliberately broken trace.
import { describe, expect, test } from 'vitest';
import type { SimReport } from '../../src/report/sim-report.js';
import { type ChromeTrace, type TraceEvent, writeChromeTrace } from '../../src/report/trace.js';
import { makeSimReport } from '../fixtures/visualizer-sim-report.js';
import { traceProblems } from '../fixtures/visualizer-trace-check.js';

function countBy(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

const threadNames = (trace: ChromeTrace): Map<string, string> =>
  new Map(
    trace.traceEvents
      .filter((e) => e.ph === 'M' && e.name === 'thread_name')
      .map((e) => [`${e.pid}/${e.tid}`, String(e.args?.name)]),
  );
const processNames = (trace: ChromeTrace): Map<number, string> =>
  new Map(
    trace.traceEvents
      .filter((e) => e.ph === 'M' && e.name === 'process_name')
      .map((e) => [e.pid, String(e.args?.name)]),
  );

describe('writeChromeTrace', () => {
  const report: SimReport = makeSimReport({ cores: 4, iterations: 5, tasksPerIteration: 12, seed: 3 });
  const trace = JSON.parse(JSON.stringify(writeChromeTrace(report))) as ChromeTrace;

  test('every event has ph, ts, pid, tid and name, and timestamps never decrease per track', () => {
    expect(traceProblems(trace)).toEqual([]);
  });

  test('one complete event per timeline entry, on a thread track named after its unit', () => {
    const complete = trace.traceEvents.filter((e) => e.ph === 'X');
    expect(complete).toHaveLength(report.timeline.length);
    const names = threadNames(trace);
    const procs = processNames(trace);
    for (const e of complete) {
      expect(names.has(`${e.pid}/${e.tid}`)).toBe(true);
      expect(procs.get(e.pid)).toMatch(/^core \d+$/);
    }
  });

  test("a distinct track per (core, unit), and each track holds exactly that unit's entries", () => {
    const names = threadNames(trace);
    const units = new Set(report.units.map((u) => `core ${u.core}/${u.unit}`));
    const procs = processNames(trace);
    const tracks = new Set(
      [...names.entries()].map(([key, unit]) => `${procs.get(Number(key.split('/')[0]))}/${unit}`),
    );
    expect(tracks).toEqual(units);
    expect(names.size).toBe(units.size);
    const complete = trace.traceEvents.filter((x) => x.ph === 'X');
    const perTrack = countBy(complete.map((e) => `${procs.get(e.pid)}/${names.get(`${e.pid}/${e.tid}`)}`));
    expect(perTrack).toEqual(countBy(report.timeline.map((t) => `core ${t.core}/${t.unit}`)));
  });

  test('timestamps are microseconds: the last event ends at total cycles / clockHz', () => {
    const ends = trace.traceEvents.filter((e) => e.ph === 'X').map((e) => e.ts + (e.dur ?? 0));
    expect(Math.max(...ends)).toBeCloseTo((report.cycles.total / report.clockHz) * 1e6, 6);
  });

  test('a counter track per memory level instance, one sample per report sample, by tensor class', () => {
    const counters = trace.traceEvents.filter((e) => e.ph === 'C');
    const byName = new Map<string, TraceEvent[]>();
    for (const c of counters) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
    expect(byName.size).toBe(report.memoryTimeline.length);
    expect(counters).toHaveLength(report.memoryTimeline.reduce((s, m) => s + m.samples.length, 0));
    const first = report.memoryTimeline[0]!;
    const firstCounter = counters.find((c) => c.name.startsWith(first.level))!;
    expect(firstCounter.args).toEqual(first.samples[0]!.bytesByClass);
  });

  test('the checker rejects a trace with a missing field or a timestamp going backwards', () => {
    const events = trace.traceEvents.filter((e) => e.ph === 'X');
    const backwards = { ...trace, traceEvents: [...events].reverse() };
    expect(traceProblems(backwards).length).toBeGreaterThan(0);
    const { ts: _dropped, ...noTs } = events[0]!;
    expect(traceProblems({ ...trace, traceEvents: [noTs as TraceEvent] })).not.toEqual([]);
  });
});

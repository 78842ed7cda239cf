// Writes a SimReport's schedule in the Chrome Trace Event Format (JSON object form), which Perfetto
// and chrome://tracing open: a process per core (pid core+1; pid 0 holds chip-wide memory), a thread
// track per unit (named by thread_name metadata), one complete ('X') event per timeline entry, and
// a counter ('C') track per memory level instance stacked by tensor class. It does not write files.
import type { SimReport, TimelineEntry } from './sim-report.js';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'C' | 'M';
  /** Microseconds since the start of the simulation (the format's unit). */
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  cat?: string;
  args?: Record<string, string | number>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ns';
  otherData: Record<string, string | number>;
}

const chipPid = 0;
const counterTid = 0;
const pidOf = (core: number): number => (core < 0 ? chipPid : core + 1);

function metadata(
  name: 'process_name' | 'thread_name' | 'process_sort_index' | 'thread_sort_index',
  pid: number,
  tid: number,
  value: string | number,
): TraceEvent {
  return { name, ph: 'M', ts: 0, pid, tid, args: name.endsWith('_name') ? { name: value } : { sort_index: value } };
}

/** Thread ids per (core, unit), numbered from 1 in unit-name order so every unit has its own track. */
function unitTracks(report: SimReport): Map<string, { pid: number; tid: number; unit: string }> {
  const keys = new Map<string, { core: number; unit: string }>();
  for (const u of report.units) keys.set(`${u.core}/${u.unit}`, { core: u.core, unit: u.unit });
  for (const e of report.timeline) keys.set(`${e.core}/${e.unit}`, { core: e.core, unit: e.unit });
  const sorted = [...keys.entries()].sort(([, a], [, b]) => a.core - b.core || a.unit.localeCompare(b.unit));
  const tracks = new Map<string, { pid: number; tid: number; unit: string }>();
  const nextTid = new Map<number, number>();
  for (const [key, { core, unit }] of sorted) {
    const pid = pidOf(core);
    const tid = (nextTid.get(pid) ?? 0) + 1;
    nextTid.set(pid, tid);
    tracks.set(key, { pid, tid, unit });
  }
  return tracks;
}

function completeEvent(e: TimelineEntry, pid: number, tid: number, usPerCycle: number): TraceEvent {
  const args: Record<string, string | number> = {
    op: e.op,
    node: e.node,
    cycles: e.end - e.start,
    bytes: e.bytes,
    iteration: e.iteration,
    microBatch: e.microBatch,
  };
  if (e.tile !== undefined) args.tile = e.tile;
  if (e.layer !== undefined) args.layer = e.layer;
  return {
    name: `${e.op} mb${e.microBatch}`,
    cat: e.phase,
    ph: 'X',
    ts: e.start * usPerCycle,
    dur: (e.end - e.start) * usPerCycle,
    pid,
    tid,
    args,
  };
}

function memoryCounters(report: SimReport, usPerCycle: number): TraceEvent[] {
  return report.memoryTimeline.flatMap((m) => {
    const name = m.core < 0 ? `${m.level} bytes` : `${m.level} bytes (core ${m.core})`;
    const samples = [...m.samples].sort((a, b) => a.cycle - b.cycle);
    return samples.map((s) => {
      const args: Record<string, number> = {};
      for (const [cls, bytes] of Object.entries(s.bytesByClass)) if (bytes !== undefined) args[cls] = bytes;
      return { name, ph: 'C' as const, ts: s.cycle * usPerCycle, pid: pidOf(m.core), tid: counterTid, args };
    });
  });
}

function processNames(report: SimReport): TraceEvent[] {
  const cores = new Set<number>([
    ...report.units.map((u) => u.core),
    ...report.timeline.map((e) => e.core),
    ...report.memoryTimeline.map((m) => m.core),
  ]);
  return [...cores]
    .sort((a, b) => a - b)
    .flatMap((core) => {
      const pid = pidOf(core);
      return [
        metadata('process_name', pid, 0, core < 0 ? 'chip' : `core ${core}`),
        metadata('process_sort_index', pid, 0, pid),
      ];
    });
}

/** The report as a Chrome trace object; `JSON.stringify` it to get a file Perfetto opens. */
export function writeChromeTrace(report: SimReport): ChromeTrace {
  const usPerCycle = 1e6 / report.clockHz;
  const tracks = unitTracks(report);
  const threadNames = [...tracks.values()].flatMap(({ pid, tid, unit }) => [
    metadata('thread_name', pid, tid, unit),
    metadata('thread_sort_index', pid, tid, tid),
  ]);
  const complete = report.timeline.map((e) => {
    const track = tracks.get(`${e.core}/${e.unit}`)!;
    return completeEvent(e, track.pid, track.tid, usPerCycle);
  });
  // Per-track timestamps must not decrease; a stable sort by (pid, tid, ts) keeps equal starts in report order.
  complete.sort((a, b) => a.pid - b.pid || a.tid - b.tid || a.ts - b.ts);
  const { input } = report;
  return {
    traceEvents: [...processNames(report), ...threadNames, ...complete, ...memoryCounters(report, usPerCycle)],
    displayTimeUnit: 'ns',
    otherData: {
      model: input.model,
      method: input.method,
      schedule: input.schedule,
      hw: input.hw,
      clockHz: report.clockHz,
      totalCycles: report.cycles.total,
    },
  };
}

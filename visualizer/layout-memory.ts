// Memory layout: bytes over time per memory level instance, stacked by tensor class, with the
// capacity line and overflow flags. Long sample series are reduced to at most `maxPoints` samples
// by keeping each bucket's fullest sample, so peaks (what decides overflow) are never smoothed away. Pure.
import { type MemorySample, type SimReport, type TensorClass, tensorClasses } from '../src/report/sim-report.js';

export interface MemoryInstanceLayout {
  level: string;
  /** Core index, or -1 for a chip-wide level. */
  core: number;
  label: string;
  capacityBytes: number;
  /** Stacking order, bottom first (tensorClasses order, only classes that occur). */
  classes: TensorClass[];
  cycles: number[];
  /** tops[k][i]: top of class k's band at sample i (cumulative bytes up to and including class k). */
  tops: number[][];
  peakBytes: number;
  /** The report says this instance overflowed. */
  overflowReported: boolean;
  /** The simulator's verdict in words where the level does not simply fit (spills, over capacity). */
  verdictNote?: string;
  /** Some drawn sample is above capacity. */
  exceedsCapacity: boolean;
  /** The y axis maximum: the data with headroom, and the capacity unless it would squash the data. */
  yMaxBytes: number;
  capacityOnScale: boolean;
}

export interface MemoryLevelLayout {
  level: string;
  /** Instances sorted by peak bytes, fullest first (the one drawn by default). */
  instances: MemoryInstanceLayout[];
}

export interface MemoryLayout {
  totalCycles: number;
  levels: MemoryLevelLayout[];
}

const sampleTotal = (s: MemorySample): number => Object.values(s.bytesByClass).reduce((a, b) => a + (b ?? 0), 0);

/** At most maxPoints samples: first, last, and the fullest sample of each equal-count bucket. */
export function reduceSamples(samples: MemorySample[], maxPoints: number): MemorySample[] {
  const sorted = [...samples].sort((a, b) => a.cycle - b.cycle);
  if (sorted.length <= maxPoints) return sorted;
  const buckets = Math.max(1, maxPoints - 2);
  const kept: MemorySample[] = [sorted[0]!];
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * (sorted.length - 2)) / buckets);
    const to = 1 + Math.floor(((b + 1) * (sorted.length - 2)) / buckets);
    let best: MemorySample | undefined;
    for (let i = from; i < to; i++)
      if (best === undefined || sampleTotal(sorted[i]!) > sampleTotal(best)) best = sorted[i];
    if (best !== undefined) kept.push(best);
  }
  kept.push(sorted.at(-1)!);
  return kept;
}

function instanceLayout(
  m: SimReport['memoryTimeline'][number],
  overflowReported: boolean,
  maxPoints: number,
): MemoryInstanceLayout {
  const samples = reduceSamples(m.samples, maxPoints);
  const present = new Set(samples.flatMap((s) => Object.keys(s.bytesByClass)));
  const classes = tensorClasses.filter((c) => present.has(c));
  const tops = classes.map(() => [] as number[]);
  for (const s of samples) {
    let top = 0;
    classes.forEach((c, k) => {
      top += s.bytesByClass[c] ?? 0;
      tops[k]!.push(top);
    });
  }
  const peakBytes = samples.reduce((p, s) => Math.max(p, sampleTotal(s)), 0);
  // A capacity more than 4x the peak (DRAM) would flatten the data to a line; show it as a label then.
  const capacityOnScale = m.capacityBytes <= 4 * peakBytes;
  const yMaxBytes = Math.max(peakBytes * 1.1, capacityOnScale ? m.capacityBytes * 1.05 : 0, 1);
  const label = m.core < 0 ? m.level : `${m.level} (core ${m.core})`;
  return {
    level: m.level,
    core: m.core,
    label,
    capacityBytes: m.capacityBytes,
    classes,
    cycles: samples.map((s) => s.cycle),
    tops,
    peakBytes,
    overflowReported,
    exceedsCapacity: peakBytes > m.capacityBytes,
    yMaxBytes,
    capacityOnScale,
  };
}

/** The verdict of a level instance in words; undefined where it fits (or the report predates verdicts). */
function verdictNote(m: SimReport['memory'][number] | undefined): string | undefined {
  const verdict = m?.verdict as SimReport['memory'][number]['verdict'] | undefined;
  if (m === undefined || verdict === undefined || verdict === 'fits') return undefined;
  if (verdict === 'over-capacity') return 'OVERFLOW reported by the simulator: over capacity, the run does not fit';
  const share = ((m.spillFraction ?? 0) * 100).toFixed(1);
  return `spills: the excess lives on the next level (${share} % of the accesses also go there)`;
}

/** One panel per memory level name; per-core levels keep every core as a selectable instance. */
export function layoutMemory(report: SimReport, maxPoints = 1500): MemoryLayout {
  const flagged = new Set(report.memory.filter((m) => m.overflow).map((m) => `${m.level}/${m.core}`));
  const byLevel = new Map<string, MemoryInstanceLayout[]>();
  for (const m of report.memoryTimeline) {
    const stats = report.memory.find((x) => x.level === m.level && x.core === m.core);
    const note = verdictNote(stats);
    const inst = {
      ...instanceLayout(m, flagged.has(`${m.level}/${m.core}`), maxPoints),
      ...(note ? { verdictNote: note } : {}),
    };
    byLevel.set(m.level, [...(byLevel.get(m.level) ?? []), inst]);
  }
  const levels = [...byLevel.entries()].map(([level, instances]) => ({
    level,
    instances: instances.sort((a, b) => b.peakBytes - a.peakBytes || a.core - b.core),
  }));
  return { totalCycles: report.cycles.total, levels };
}

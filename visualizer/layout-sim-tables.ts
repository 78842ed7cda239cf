// The simulate report's tables: the summary (run, cycles, throughput, the bound, bubble, weight reuse,
// peak memory per level, energy or "not modelled") and the stage table (stage, layers, cores, the
// compiler's estimated and the simulated cycles). Bytes in binary units, as the CLI prints them. Pure.
import type { SimReport } from '../src/report/sim-report.js';
import { formatBytes, formatCount, formatNumber, formatPercent } from './format.js';
import type { TablePanel } from './layout-types.js';

/** "0–14" for a contiguous run of cores, "0, 2, 5" otherwise. */
export function coreRanges(cores: readonly number[]): string {
  const sorted = [...cores].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function boundText(sim: SimReport): string {
  const b = sim.bound;
  const what =
    b.kind === 'compute'
      ? `compute: busiest unit ${b.busiestUnit} computes ${formatCount(b.busiestUnitComputeCycles)} cycles`
      : `bandwidth: the busiest memory level's bytes over its bandwidth`;
  return `${formatCount(b.cycles)} cycles per iteration (${what}); simulated / bound ${b.ratio.toFixed(2)}`;
}

/** ", spills to the next level" or ", over capacity" from the worst instance's verdict (or the overflow flag). */
function levelVerdict(instances: SimReport['memory']): string {
  const verdicts = new Set(instances.map((m) => (m.verdict as string | undefined) ?? (m.overflow ? 'spills' : 'fits')));
  if (verdicts.has('over-capacity')) return ', over capacity: does not fit';
  return verdicts.has('spills') ? ', spills to the next level' : '';
}

function peakMemoryText(sim: SimReport): string {
  const levels = [...new Set(sim.memory.map((m) => m.level))];
  return levels
    .map((level) => {
      const fullest = sim.memory.filter((m) => m.level === level).sort((a, b) => b.peakBytes - a.peakBytes)[0]!;
      const where = fullest.core < 0 ? '' : ` (core ${fullest.core})`;
      const overflow = levelVerdict(sim.memory.filter((m) => m.level === level));
      return `${level} ${formatBytes(fullest.peakBytes)} of ${formatBytes(fullest.capacityBytes)}${where}${overflow}`;
    })
    .join('; ');
}

function energyText(sim: SimReport): string {
  const energy = sim.energy;
  if (energy === undefined || energy.totalJoules === null) {
    const parts = energy?.notModelled.length ? ` (no energy figures for ${energy.notModelled.join(', ')})` : '';
    return `not modelled${parts}`;
  }
  const perIteration = energy.totalJoules / Math.max(1, sim.input.iterations);
  return `${formatNumber(energy.totalJoules)} J in total, ${formatNumber(perIteration * 1e3)} mJ per iteration`;
}

/** The cores tried and used, where the simulator chose the core count (absent otherwise). */
function coreChoiceRow(sim: SimReport): [string, string][] {
  const c = sim.coreChoice;
  if (c === undefined) return [];
  const tried = c.candidates.map(
    (k) => `${k.cores}: ${k.cyclesPerIteration === null ? 'infeasible' : formatCount(k.cyclesPerIteration)}`,
  );
  const why = c.used < c.available ? ' (fewer cores are faster for this step)' : '';
  return [['cores', `${c.used} of ${c.available} used${why}; tried ${tried.join(', ')} cycles per iteration`]];
}

/** Waits between units of one core (absent in reports written before the field existed). */
function unitWaitRow(sim: SimReport): [string, string][] {
  const ratio = sim.unitWaitRatio as number | undefined;
  return ratio === undefined
    ? []
    : [['unit waits', `${formatPercent(ratio)} (compute units waiting on another unit of their core)`]];
}

export function simSummary(sim: SimReport): TablePanel {
  const i = sim.input;
  const w = sim.weights;
  const learned = i.learnedSigma ? ', learned sigma' : '';
  const rows: [string, string][] = [
    ['run', `${i.model} · ${i.method} (K=${i.copies}, batch ${i.batch}) · ${i.schedule} · ${i.hw}`],
    [
      'iterations',
      `${i.iterations} (${i.microBatches} micro-batches, staleness ${i.staleness}, noise ${i.noiseStorage}${learned})`,
    ],
    [
      'total cycles',
      `${formatCount(sim.cycles.total)} cycles at ${formatNumber(sim.clockHz / 1e6)} MHz (steady state ${formatCount(sim.cycles.steadyStatePerIteration)} per iteration)`,
    ],
    [
      'throughput',
      `${formatNumber(sim.throughput.iterationsPerSecond)} iterations/s, ${formatNumber(sim.throughput.samplesPerSecond)} samples/s`,
    ],
    ...coreChoiceRow(sim),
    ['bound', boundText(sim)],
    [
      'bubble ratio',
      `${formatPercent(sim.bubbleRatio)} (pipeline fill and drain: the bottleneck core idle within the iteration)`,
    ],
    ...unitWaitRow(sim),
    [
      'weight reuse',
      `${formatBytes(w.onChipBytes)} held on-chip (reused by every micro-batch); ${formatBytes(w.offChipBytes)} off-chip, re-read ${formatBytes(w.offChipReadBytesPerIteration)} per iteration`,
    ],
    ['peak memory', peakMemoryText(sim)],
    ['energy', energyText(sim)],
    ['tasks, events', `${formatCount(sim.timeline.length)} tasks, ${formatCount(sim.events)} events`],
  ];
  return { id: 'summary-table', title: 'Simulation', columns: ['quantity', 'value'], rows };
}

export function stageTable(sim: SimReport): TablePanel {
  return {
    id: 'stage-table',
    title: 'Pipeline stages (cycles per core per iteration)',
    columns: ['stage', 'layers', 'cores', 'estimated cycles', 'simulated busy cycles', 'simulated / estimated'],
    rows: sim.stages.map((s) => [
      String(s.index),
      s.layers.join(', '),
      coreRanges(s.cores),
      formatCount(s.estimatedCycles),
      formatCount(s.simulatedCycles),
      s.estimatedCycles > 0 ? (s.simulatedCycles / s.estimatedCycles).toFixed(2) : '–',
    ]),
    note: `Estimated: the compiler's compute estimate. Simulated: cycles the core's units (arrays, vector units, links) were busy, summed over them and with memory stalls, so it can exceed the cycles of an iteration. How the stages were chosen: ${sim.stageChoice}`,
  };
}

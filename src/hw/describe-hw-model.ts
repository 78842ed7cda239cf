// Human-readable text for a parsed HwModel: one table row for `alrflow hw list` and a multi-line
// summary with units for `alrflow hw show`. Pure formatting; loading and validation live elsewhere.
import type { HwModel, MemoryLevelSpec } from './types.js';
import { formatBytes, formatSi } from './units.js';

/** The numbers `hw list` shows for one model, computed from the parsed model. */
export interface HwSummary {
  name: string;
  cores: number;
  arrays: string;
  onChipBytes: number;
  offChipBytesPerSecond: number;
  clockHz: number;
  peakMacsPerCycle: number;
}

function levelTotalBytes(level: MemoryLevelSpec, coreCount: number): number {
  return level.capacityBytes * (level.scope === 'core' ? coreCount : 1);
}

/** Systolic arrays per core, grouped: "4x 16x16 os" or "1x 32x32 ws + 32-lane vector". */
function arraysText(model: HwModel): string {
  const groups = new Map<string, number>();
  for (const a of model.cores.systolic) {
    const key = `${a.rows}x${a.cols} ${a.dataflow}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const parts = [...groups].map(([key, n]) => `${n}x ${key}`);
  for (const v of model.cores.vector) parts.push(`${v.lanes}-lane vector`);
  return parts.join(' + ');
}

/** The row of `hw list`. The off-chip level is the last one (HwModel's ordering rule). */
export function summariseHwModel(model: HwModel): HwSummary {
  const offChip = model.memory[model.memory.length - 1];
  const onChip = model.memory.slice(0, -1);
  return {
    name: model.name,
    cores: model.cores.count,
    arrays: arraysText(model),
    onChipBytes: onChip.reduce((sum, level) => sum + levelTotalBytes(level, model.cores.count), 0),
    offChipBytesPerSecond: (offChip?.bandwidthBytesPerCycle ?? 0) * model.clockHz,
    clockHz: model.clockHz,
    peakMacsPerCycle: model.cores.count * model.cores.systolic.reduce((sum, a) => sum + a.rows * a.cols, 0),
  };
}

function levelLine(level: MemoryLevelSpec, model: HwModel, isOffChip: boolean): string {
  const where = isOffChip
    ? 'off-chip'
    : level.scope === 'core'
      ? `per core (${formatBytes(levelTotalBytes(level, model.cores.count))} in all)`
      : 'shared';
  const bandwidth = `${Number(level.bandwidthBytesPerCycle.toPrecision(4))} B/clk (${formatSi(level.bandwidthBytesPerCycle * model.clockHz, 'B/s')})`;
  const extras = [`latency ${level.latencyCycles} clk`, `${level.banks} bank${level.banks === 1 ? '' : 's'}`];
  if (level.doubleBuffered) extras.push('double-buffered');
  if (level.readEnergyPjPerByte !== undefined) extras.push(`read ${level.readEnergyPjPerByte} pJ/B`);
  if (level.writeEnergyPjPerByte !== undefined) extras.push(`write ${level.writeEnergyPjPerByte} pJ/B`);
  const p = level.partition;
  if (p !== undefined)
    extras.push(
      `partition ifmap ${formatBytes(p.ifmapBytes)} / filter ${formatBytes(p.filterBytes)} / ofmap ${formatBytes(p.ofmapBytes)}`,
    );
  return `  ${level.name.padEnd(16)} ${formatBytes(level.capacityBytes).padStart(10)} ${where}, ${bandwidth}, ${extras.join(', ')}`;
}

/** A compute unit's kind and name, the name only where it says more than the kind ("vector", not "vector vector"). */
const unitName = (kind: string, name: string): string => (name === kind ? kind : `${kind} ${name}`);

/** The multi-line summary of `hw show`. */
export function describeHwModel(model: HwModel): string {
  const summary = summariseHwModel(model);
  const peakOpsPerSecond = 2 * summary.peakMacsPerCycle * model.clockHz;
  const lines = [
    `${model.name}: ${model.description}`,
    ...(model.source === undefined ? [] : [`source: ${model.source}`]),
    `clock ${formatSi(model.clockHz, 'Hz')}, words of ${model.wordBytes} byte${model.wordBytes === 1 ? '' : 's'}`,
    `cores: ${model.cores.count}, each with ${summary.arrays || 'no compute unit'}`,
    ...model.cores.systolic.map(
      (a) =>
        `  ${unitName('systolic', a.name)}: ${a.rows}x${a.cols}, dataflow ${a.dataflow}${a.weightDoubleBuffered ? ', weights double-buffered' : ''}`,
    ),
    ...model.cores.vector.map((v) => `  ${unitName('vector', v.name)}: ${v.lanes} lanes`),
    ...Object.entries(model.cores.opCosts ?? {}).map(
      ([op, c]) => `  op ${op}: ${c.fixedCycles} clk + ${Number(c.scale.toPrecision(4))} x the unit's cycles`,
    ),
    `peak: ${summary.peakMacsPerCycle} MACs per cycle (${formatSi(peakOpsPerSecond, 'OP/s')})`,
    'memory (nearest first):',
    ...model.memory.map((level, i) => levelLine(level, model, i === model.memory.length - 1)),
  ];
  if (model.noc !== undefined) {
    const n = model.noc;
    const energy = n.energyPjPerByte === undefined ? '' : `, ${n.energyPjPerByte} pJ/B`;
    lines.push(
      `noc: ${n.topology}, ${Number(n.linkBandwidthBytesPerCycle.toPrecision(4))} B/clk per link, ${n.hopLatencyCycles} clk per hop${energy}`,
    );
  }
  if (model.macEnergyPj !== undefined) lines.push(`MAC energy: ${model.macEnergyPj} pJ`);
  return lines.join('\n');
}

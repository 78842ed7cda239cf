// Turns a structurally valid hardware file (HwFile, from src/hw/schema) into the unit-free HwModel,
// converting per-second bandwidths and latencies with the clock, and checks the cross-field rules
// a field-by-field schema cannot: one word size, at least one compute unit, unique names, an
// off-chip last level with the largest capacity, partitions that fit, a NoC for multi-core chips.
// It reports problems; it does not read files or format messages with the file name.
import type { OpClass } from '../ir/types.js';
import type { HwModel, MemoryLevelSpec, NocSpec, OpCost } from './types.js';
import { dtypeBytes, hwFileSchema, systolicSchema, vectorSchema, type HwFile, type HwFileMemory } from './schema.js';
import { formatBytes, quantityOf } from './units.js';

/** A problem at a JSON path such as `memory[1].bandwidth`. */
export interface HwProblem {
  path: string;
  message: string;
}

export type ToHwModelResult = { ok: true; model: HwModel } | { ok: false; problems: HwProblem[] };

function bytesOf(text: string): number {
  const q = quantityOf(text, 'bytes');
  return q.kind === 'bytes' ? q.bytes : Number.NaN;
}

function bytesPerCycle(text: string, clockHz: number): number {
  const q = quantityOf(text, 'bandwidth');
  if (q.kind !== 'bandwidth') return Number.NaN;
  return q.per === 'cycle' ? q.bytesPerCycle : q.bytesPerSecond / clockHz;
}

/** Latencies in time round up to whole cycles (the simulator counts integer cycles). */
function cyclesOf(text: string, clockHz: number): number {
  const q = quantityOf(text, 'latency');
  if (q.kind !== 'latency') return Number.NaN;
  // The small slack keeps 100 ns at 1 GHz at 100 cycles despite float noise in 1e-7 * 1e9.
  return q.per === 'cycle' ? q.cycles : Math.ceil(q.seconds * clockHz - 1e-9);
}

function toOpCosts(costs: NonNullable<HwFile['cores']['opCosts']>, clockHz: number): Partial<Record<OpClass, OpCost>> {
  const out: Partial<Record<OpClass, OpCost>> = {};
  for (const [op, cost] of Object.entries(costs) as [OpClass, { fixed: string; scale: number }][]) {
    out[op] = { fixedCycles: cyclesOf(cost.fixed, clockHz), scale: cost.scale };
  }
  return out;
}

function energyPerByte(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const q = quantityOf(text, 'energyPerByte');
  return q.kind === 'energyPerByte' ? q.pjPerByte : Number.NaN;
}

function toMemoryLevel(m: HwFileMemory, clockHz: number): MemoryLevelSpec {
  const level: MemoryLevelSpec = {
    name: m.name,
    scope: m.scope,
    capacityBytes: bytesOf(m.capacity),
    bandwidthBytesPerCycle: bytesPerCycle(m.bandwidth, clockHz),
    latencyCycles: cyclesOf(m.latency, clockHz),
    banks: m.banks ?? 1,
    doubleBuffered: m.doubleBuffered ?? false,
  };
  const read = energyPerByte(m.readEnergy);
  const write = energyPerByte(m.writeEnergy);
  if (read !== undefined) level.readEnergyPjPerByte = read;
  if (write !== undefined) level.writeEnergyPjPerByte = write;
  if (m.partition !== undefined) {
    level.partition = {
      ifmapBytes: bytesOf(m.partition.ifmap),
      filterBytes: bytesOf(m.partition.filter),
      ofmapBytes: bytesOf(m.partition.ofmap),
    };
  }
  return level;
}

function toNoc(noc: NonNullable<HwFile['noc']>, clockHz: number): NocSpec {
  const spec: NocSpec = {
    topology: noc.topology,
    linkBandwidthBytesPerCycle: bytesPerCycle(noc.linkBandwidth, clockHz),
    hopLatencyCycles: cyclesOf(noc.hopLatency, clockHz),
  };
  const energy = energyPerByte(noc.energy);
  if (energy !== undefined) spec.energyPjPerByte = energy;
  return spec;
}

function duplicateNames(names: Array<{ name: string; path: string }>, what: string): HwProblem[] {
  const seen = new Map<string, string>();
  const problems: HwProblem[] = [];
  for (const { name, path } of names) {
    const first = seen.get(name);
    if (first !== undefined)
      problems.push({ path, message: `found "${name}" again (first at ${first}), allowed: a ${what} name used once` });
    else seen.set(name, path);
  }
  return problems;
}

function coreProblems(file: HwFile): HwProblem[] {
  const problems: HwProblem[] = [];
  const { systolic, vector, count } = file.cores;
  if (systolic.length + vector.length === 0) {
    problems.push({
      path: 'cores',
      message: 'found no compute unit, allowed: at least one entry in cores.systolic or cores.vector',
    });
  }
  const unitNames = [
    ...systolic.map((u, i) => ({ name: u.name, path: `cores.systolic[${i}].name` })),
    ...vector.map((u, i) => ({ name: u.name, path: `cores.vector[${i}].name` })),
  ];
  problems.push(...duplicateNames(unitNames, 'compute-unit'));
  if (count > 1 && file.noc === undefined) {
    problems.push({
      path: 'noc',
      message: `missing, allowed: a noc section (cores.count is ${count}; cores need links to pass activations and gradients)`,
    });
  }
  if (file.wordBytes === undefined && file.dtype === undefined) {
    problems.push({
      path: 'wordBytes',
      message: 'missing, allowed: wordBytes (bytes per word) or dtype (fp32, fp16, bf16, int8, ...)',
    });
  }
  if (file.wordBytes !== undefined && file.dtype !== undefined && file.wordBytes !== dtypeBytes[file.dtype]) {
    problems.push({
      path: 'wordBytes',
      message: `found ${file.wordBytes} with dtype ${file.dtype} (${dtypeBytes[file.dtype]} bytes), allowed: one of them, or both agreeing`,
    });
  }
  return problems;
}

function memoryProblems(file: HwFile, levels: MemoryLevelSpec[], coreCount: number): HwProblem[] {
  const problems = duplicateNames(
    file.memory.map((m, i) => ({ name: m.name, path: `memory[${i}].name` })),
    'memory-level',
  );
  const lastIndex = levels.length - 1;
  const last = levels[lastIndex];
  if (last === undefined) return problems;
  if (last.scope !== 'chip')
    problems.push({
      path: `memory[${lastIndex}].scope`,
      message: `found "${last.scope}" on the last (off-chip) level, allowed: "chip"`,
    });
  if (last.partition !== undefined)
    problems.push({
      path: `memory[${lastIndex}].partition`,
      message: 'found a partition on the off-chip level, allowed: partitions on on-chip levels only',
    });
  levels.forEach((level, i) => {
    const totalBytes = level.capacityBytes * (level.scope === 'core' ? coreCount : 1);
    if (i < lastIndex && totalBytes > last.capacityBytes) {
      problems.push({
        path: `memory[${i}].capacity`,
        message: `found ${formatBytes(totalBytes)} in total on "${level.name}", more than the off-chip level "${last.name}" (${formatBytes(last.capacityBytes)}), allowed: the last level is off-chip and the largest`,
      });
    }
    const p = level.partition;
    if (p !== undefined && p.ifmapBytes + p.filterBytes + p.ofmapBytes > level.capacityBytes) {
      const sum = p.ifmapBytes + p.filterBytes + p.ofmapBytes;
      problems.push({
        path: `memory[${i}].partition`,
        message: `found ifmap + filter + ofmap = ${formatBytes(sum)}, allowed: at most the capacity ${formatBytes(level.capacityBytes)}`,
      });
    }
  });
  return problems;
}

/** Converts a schema-valid file to HwModel, or returns every cross-field problem found. */
export function toHwModel(file: HwFile): ToHwModelResult {
  const clock = quantityOf(file.clock, 'frequency');
  const clockHz = clock.kind === 'frequency' ? clock.hz : Number.NaN;
  const memory = file.memory.map((m) => toMemoryLevel(m, clockHz));
  const problems = [...coreProblems(file), ...memoryProblems(file, memory, file.cores.count)];
  if (problems.length > 0) return { ok: false, problems };
  const model: HwModel = {
    name: file.name,
    description: file.description,
    clockHz,
    wordBytes: file.wordBytes ?? (file.dtype === undefined ? 4 : dtypeBytes[file.dtype]),
    cores: {
      count: file.cores.count,
      systolic: file.cores.systolic.map((s) => ({ ...s })),
      vector: file.cores.vector.map((v) => ({ ...v })),
    },
    memory,
  };
  if (file.cores.opCosts !== undefined) model.cores.opCosts = toOpCosts(file.cores.opCosts, clockHz);
  if (file.source !== undefined) model.source = file.source;
  if (file.noc !== undefined) model.noc = toNoc(file.noc, clockHz);
  if (file.macEnergy !== undefined) {
    const mac = quantityOf(file.macEnergy, 'energy');
    if (mac.kind === 'energy') model.macEnergyPj = mac.pj;
  }
  return { ok: true, model };
}

/** Items that fail their own schema become placeholders with unique names, so they trigger no rule. */
function validItems<T>(
  items: unknown,
  schema: { safeParse(v: unknown): { success: boolean } },
  placeholder: (i: number) => T,
): T[] | undefined {
  if (!Array.isArray(items)) return undefined;
  return items.map((item, i) => (schema.safeParse(item).success ? (item as T) : placeholder(i)));
}

function stringNames(items: unknown, path: string): Array<{ name: string; path: string }> {
  if (!Array.isArray(items)) return [];
  return items.flatMap((item, i) => {
    const name = (item as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? [{ name, path: `${path}[${i}].name` }] : [];
  });
}

/**
 * The cross-field problems among the parts of a file that pass the schema on their own, for a file
 * with schema problems too: every problem is then reported in one run instead of the cross-field
 * ones appearing only after the schema ones are fixed. Invalid parts are left out of each rule.
 */
export function partialCrossFieldProblems(data: unknown): HwProblem[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [];
  const raw = data as Record<string, unknown>;
  const shape = hwFileSchema.shape;
  const valid = (key: keyof typeof shape): boolean => shape[key].safeParse(raw[key]).success;
  const rawCores = (typeof raw.cores === 'object' && raw.cores !== null ? raw.cores : {}) as Record<string, unknown>;
  const placeholder = (list: string) => (i: number) => ({
    name: `\u0000invalid ${list}[${i}]`,
    rows: 1,
    cols: 1,
    lanes: 1,
    dataflow: 'os' as const,
  });
  const systolic = validItems(rawCores.systolic, systolicSchema, placeholder('systolic'));
  const vector = validItems(rawCores.vector, vectorSchema, placeholder('vector'));
  const problems: HwProblem[] = [];
  const count = shape.cores.shape.count.safeParse(rawCores.count).success ? (rawCores.count as number) : 1;
  if (systolic !== undefined && vector !== undefined) {
    const words = valid('wordBytes') && valid('dtype') ? {} : { wordBytes: undefined, dtype: 'fp32' };
    problems.push(...coreProblems({ ...raw, ...words, cores: { count, systolic, vector } } as unknown as HwFile));
  }
  if (valid('memory') && raw.memory !== undefined) {
    const file = raw as HwFile;
    problems.push(
      ...memoryProblems(
        file,
        file.memory.map((m) => toMemoryLevel(m, Number.NaN)),
        count,
      ),
    );
  } else {
    problems.push(...duplicateNames(stringNames(raw.memory, 'memory'), 'memory-level'));
  }
  return problems;
}

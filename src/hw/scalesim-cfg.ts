// Reader for SCALE-Sim v2 `.cfg` files (INI-style: [general], [architecture_presets], [run_presets])
// into a typed ScaleSimConfig, and its conversion to an alrflow HwModel. It only parses; timing
// lives in sim/scalesim.ts. Malformed files raise one ConfigError listing every problem: unknown or
// missing sections (naming the allowed ones), keys outside their section, non-decimal counts.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { closestHint } from './closest-hint.js';
import type { Dataflow, HwModel } from './types.js';

export interface ScaleSimConfig {
  runName: string;
  arrayHeight: number;
  arrayWidth: number;
  ifmapSramKiB: number;
  filterSramKiB: number;
  ofmapSramKiB: number;
  ifmapOffset: number;
  filterOffset: number;
  ofmapOffset: number;
  dataflow: Dataflow;
  /** DRAM words per cycle per operand; only read as a limit when interfaceBandwidth is USER. */
  bandwidthWordsPerCycle: number[];
  memoryBanks: number;
  interfaceBandwidth: 'CALC' | 'USER';
}

const intKeys = {
  ArrayHeight: 'arrayHeight',
  ArrayWidth: 'arrayWidth',
  IfmapSramSzkB: 'ifmapSramKiB',
  FilterSramSzkB: 'filterSramKiB',
  OfmapSramSzkB: 'ofmapSramKiB',
  IfmapOffset: 'ifmapOffset',
  FilterOffset: 'filterOffset',
  OfmapOffset: 'ofmapOffset',
  MemoryBanks: 'memoryBanks',
} as const;

const defaults: Partial<ScaleSimConfig> = {
  ifmapOffset: 0,
  filterOffset: 10_000_000,
  ofmapOffset: 20_000_000,
  memoryBanks: 1,
  runName: 'scalesim',
};

/** Reads and validates a SCALE-Sim .cfg file. */
export function loadScaleSimConfig(path: string): ScaleSimConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: cannot read the SCALE-Sim config (${(err as Error).message})`]);
  }
  return parseScaleSimConfig(text, path);
}

interface Entry {
  /** The key as written. */
  raw: string;
  value: string;
  line: number;
  section: string | undefined;
}

/** SCALE-Sim v2's sections; [architecture_presets] is required, the others have defaults. */
const cfgSections = ['general', 'architecture_presets', 'run_presets'] as const;
const requiredSections = ['architecture_presets'];
/** The section each key this reader uses belongs in. */
const keySection: Record<string, string> = {
  run_name: 'general',
  ...Object.fromEntries(
    [...Object.keys(intKeys), 'Dataflow', 'Bandwidth'].map((k) => [k.toLowerCase(), 'architecture_presets']),
  ),
  interfacebandwidth: 'run_presets',
};

function sectionProblem(name: string, file: string, line: number): string | undefined {
  if ((cfgSections as readonly string[]).includes(name.toLowerCase())) return undefined;
  return `${file}:${line}: section [${name}] is unknown, allowed: ${cfgSections.map((c) => `[${c}]`).join(', ')}${closestHint(name, cfgSections)}`;
}

function entries(text: string, file: string, problems: string[]): Map<string, Entry> {
  const map = new Map<string, Entry>();
  const seen = new Set<string>();
  let section: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (line === '') return;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      const problem = sectionProblem(header[1]!.trim(), file, i + 1);
      if (problem) problems.push(problem);
      seen.add(section);
      return;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*[:=]\s*(.*)$/.exec(line);
    if (!m) {
      problems.push(
        `${file}:${i + 1}: found ${JSON.stringify(raw.trim().slice(0, 60))}, allowed: "Key: value" or "[section]"`,
      );
      return;
    }
    const key = m[1]!.toLowerCase();
    const home = keySection[key];
    if (
      home !== undefined &&
      section !== home &&
      (section === undefined || (cfgSections as readonly string[]).includes(section))
    ) {
      problems.push(
        `${file}:${i + 1}: ${m[1]} is in ${section === undefined ? 'no section' : `[${section}]`}, allowed: under [${home}]`,
      );
    }
    map.set(key, { raw: m[1]!, value: m[2]!.trim(), line: i + 1, section });
  });
  for (const name of requiredSections) {
    if (!seen.has(name))
      problems.push(
        `${file}: section [${name}] missing, allowed sections: ${cfgSections.map((c) => `[${c}]`).join(', ')} ([${name}] is required)`,
      );
  }
  return map;
}

/** A count in decimal digits only, at most 2^31 (no sign, hex, exponent or fraction). */
function strictCount(value: string, min: number): number | undefined {
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  return n >= min && n <= 2 ** 31 ? n : undefined;
}

/** Binary data (NUL bytes or bytes that are not UTF-8) is not a .cfg: one problem, not a line per garbled line. */
function binaryProblem(text: string, file: string): string | undefined {
  const bad = [...text].filter((ch) => ch === '\u0000' || ch === '\ufffd').length;
  if (bad === 0) return undefined;
  return `${file}: not a text file (${bad} NUL or non-UTF-8 byte${bad === 1 ? '' : 's'}), allowed: a SCALE-Sim .cfg text file ("[architecture_presets]", "ArrayHeight: 32", ...)`;
}

/** A key the reader does not use but that is close to one it needs: the missing key's message names it. */
function misspeltHint(key: string, map: Map<string, Entry>): string {
  const unknown = [...map.entries()].filter(([k]) => keySection[k] === undefined);
  const near = unknown.find(([k]) => closestHint(k, [key]) !== '');
  return near === undefined ? '' : ` (line ${near[1].line} has "${near[1].raw}": misspelt?)`;
}

/** Parses .cfg text; `file` names the source in error messages. */
export function parseScaleSimConfig(text: string, file = '<cfg>'): ScaleSimConfig {
  const binary = binaryProblem(text, file);
  if (binary !== undefined) throw new ConfigError([binary]);
  const problems: string[] = [];
  const map = entries(text, file, problems);
  const out: Record<string, unknown> = { ...defaults };
  const where = (key: string) => `${file}:${map.get(key.toLowerCase())?.line ?? '?'}: ${key}`;
  for (const [key, field] of Object.entries(intKeys)) {
    const e = map.get(key.toLowerCase());
    if (!e) {
      if (!(field in defaults))
        problems.push(
          `${file}: ${key} missing${misspeltHint(key, map)}, allowed: a positive integer (e.g. "${key}: 32")`,
        );
      continue;
    }
    const min = field.endsWith('Offset') ? 0 : 1;
    const n = strictCount(e.value, min);
    if (n === undefined)
      problems.push(`${where(key)}: found "${e.value}", allowed: an integer >= ${min} in decimal digits, at most 2^31`);
    else out[field] = n;
  }
  const df = map.get('dataflow');
  if (!df || !['os', 'ws', 'is'].includes(df.value.toLowerCase())) {
    problems.push(
      `${df ? where('Dataflow') : `${file}: Dataflow`}: found "${df?.value ?? '(missing)'}", allowed: os, ws, is`,
    );
  } else out.dataflow = df.value.toLowerCase();
  const ib = map.get('interfacebandwidth');
  const mode = (ib?.value ?? 'CALC').toUpperCase();
  if (mode !== 'CALC' && mode !== 'USER')
    problems.push(`${where('InterfaceBandwidth')}: found "${ib?.value}", allowed: CALC, USER`);
  out.interfaceBandwidth = mode;
  const bw = map.get('bandwidth');
  const bws = (bw?.value ?? '10').split(',').map((s) => strictCount(s.trim(), 1) ?? Number.NaN);
  if (bws.some((n) => Number.isNaN(n)))
    problems.push(
      `${where('Bandwidth')}: found "${bw?.value}", allowed: positive integers (words per cycle), comma separated`,
    );
  out.bandwidthWordsPerCycle = bws;
  out.runName = map.get('run_name')?.value ?? defaults.runName;
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${p}; hint: see SCALE-Sim's configs/scale.cfg`));
  return out as unknown as ScaleSimConfig;
}

/**
 * The equivalent alrflow hardware model: one core with the array, one on-chip level holding the three
 * SRAMs (split recorded in `partition`) and a DRAM level. SCALE-Sim words are 1 byte; its clock is
 * implicit, so 1 GHz is assumed (cycles are what SCALE-Sim reports).
 */
export function scaleSimToHwModel(cfg: ScaleSimConfig): HwModel {
  const kib = 1024;
  const sramBytes = (cfg.ifmapSramKiB + cfg.filterSramKiB + cfg.ofmapSramKiB) * kib;
  const dramBw = cfg.interfaceBandwidth === 'USER' ? (cfg.bandwidthWordsPerCycle[0] ?? 10) : 10;
  return {
    name: `scalesim-${cfg.runName}`,
    description: `SCALE-Sim config ${cfg.runName}: ${cfg.arrayHeight}x${cfg.arrayWidth} ${cfg.dataflow} array`,
    clockHz: 1e9,
    wordBytes: 1,
    cores: {
      count: 1,
      systolic: [{ name: 'array', rows: cfg.arrayHeight, cols: cfg.arrayWidth, dataflow: cfg.dataflow }],
      vector: [{ name: 'vector', lanes: cfg.arrayWidth }],
    },
    memory: [
      {
        name: 'sram',
        scope: 'core',
        capacityBytes: sramBytes,
        bandwidthBytesPerCycle: 2 * cfg.arrayHeight + cfg.arrayWidth,
        latencyCycles: 1,
        banks: cfg.memoryBanks,
        doubleBuffered: true,
        partition: {
          ifmapBytes: cfg.ifmapSramKiB * kib,
          filterBytes: cfg.filterSramKiB * kib,
          ofmapBytes: cfg.ofmapSramKiB * kib,
        },
      },
      {
        name: 'dram',
        scope: 'chip',
        capacityBytes: 2 ** 40,
        bandwidthBytesPerCycle: dramBw,
        latencyCycles: 1,
        banks: 1,
        doubleBuffered: false,
      },
    ],
  };
}

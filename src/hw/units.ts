// Unit strings of hardware files ("64 KiB", "25.6 GB/s", "700 MHz", "5 pJ", "2 clk") parsed into
// numbers in the base units HwModel uses (bytes, Hz, pJ, cycles or seconds). It uses mathjs's
// Unit class alone (unit-class.ts), so the custom `clk` unit never leaks into other modules' mathjs. It does not
// convert seconds to cycles: that needs the clock, which src/hw/to-hw-model applies.
import type { Unit } from 'mathjs';
import { UnitClass } from './unit-class.js';

// mathjs already has `cycle` as an ANGLE (1 cycle = 2 pi rad), so clock cycles get their own unit
// `clk` (unit-class.ts); "cycle(s)" in a file is rewritten to `clk` before parsing (normaliseUnitText).
const unitOf = (text: string): Unit => UnitClass.parse(text);

/** The dimensions a hardware file may use, each with the base unit its number is returned in. */
export type QuantityKind = 'bytes' | 'frequency' | 'bandwidth' | 'latency' | 'energy' | 'energyPerByte';

/** A parsed quantity. Bandwidth and latency come either per cycle or per second (converted later). */
export type Quantity =
  | { kind: 'bytes'; bytes: number }
  | { kind: 'frequency'; hz: number }
  | { kind: 'bandwidth'; per: 'second'; bytesPerSecond: number }
  | { kind: 'bandwidth'; per: 'cycle'; bytesPerCycle: number }
  | { kind: 'latency'; per: 'second'; seconds: number }
  | { kind: 'latency'; per: 'cycle'; cycles: number }
  | { kind: 'energy'; pj: number }
  | { kind: 'energyPerByte'; pjPerByte: number };

export type ParseResult = { ok: true; quantity: Quantity } | { ok: false; problem: string };

interface Reading {
  unit: string;
  what: string;
}

/** Per kind: the units accepted (first one wins), what to call them, and an example for messages. */
const accepted: Record<QuantityKind, { readings: Reading[]; allowed: string; zeroAllowed: boolean }> = {
  bytes: {
    readings: [{ unit: 'B', what: 'bytes' }],
    allowed: 'a positive size in bytes such as "64 KiB", "24 MiB" or "40 MB"',
    zeroAllowed: false,
  },
  frequency: {
    readings: [{ unit: 'Hz', what: 'a frequency' }],
    allowed: 'a positive frequency such as "700 MHz" or "1.41 GHz"',
    zeroAllowed: false,
  },
  bandwidth: {
    readings: [
      { unit: 'B/s', what: 'bytes per second' },
      { unit: 'B/clk', what: 'bytes per cycle' },
    ],
    allowed: 'a positive bandwidth such as "25.6 GB/s" or "32 B/clk"',
    zeroAllowed: false,
  },
  latency: {
    readings: [
      { unit: 'clk', what: 'cycles' },
      { unit: 's', what: 'a time' },
    ],
    allowed: 'a latency such as "2 clk" or "100 ns" (zero allowed)',
    zeroAllowed: true,
  },
  energy: {
    readings: [{ unit: 'J', what: 'an energy' }],
    allowed: 'an energy such as "0.5 pJ" (zero allowed)',
    zeroAllowed: true,
  },
  energyPerByte: {
    readings: [{ unit: 'J/B', what: 'an energy per byte' }],
    allowed: 'an energy per byte such as "5 pJ/B" (zero allowed)',
    zeroAllowed: true,
  },
};

/** What is allowed for a kind, in words (used by the schema's descriptions and by messages). */
export function allowedText(kind: QuantityKind): string {
  return accepted[kind].allowed;
}

/**
 * Rewrites spellings mathjs rejects or misreads: `KB` -> `kB` (mathjs has only lower-case kilo; so
 * "64 KB" is 64 000 bytes, SI like "MB" and "GB/s": write "64 KiB" for 65 536),
 * `Gbit` -> `Gb` (short prefixes go on `b`), `cycle(s)`/`cyc` -> `clk` (mathjs' `cycle` is an angle).
 */
export function normaliseUnitText(text: string): string {
  return text
    .trim()
    .replace(/(?<![A-Za-z])K(?=[Bb](?![A-Za-z]))/g, 'k')
    .replace(
      /(?<![A-Za-z])([kKMGTPE]i?)bits?(?![A-Za-z])/g,
      (_m, prefix: string) => `${prefix.replace(/^K(?!i)/, 'k')}b`,
    )
    .replace(/(?<![A-Za-z])(cycles?|cyc)(?![A-Za-z])/g, 'clk');
}

/** `text` ("1 MiB") as a number of `unit` ("KiB": 1024), or undefined when it is not a quantity of that unit's dimension. */
export function quantityIn(text: string, unit: string): number | undefined {
  try {
    const value = unitOf(normaliseUnitText(text));
    const target = unitOf(normaliseUnitText(`1 ${unit}`));
    return value.equalBase(target) ? value.toNumber(normaliseUnitText(unit)) : undefined;
  } catch {
    return undefined;
  }
}

/** Names the dimension of a parsed unit in words, for "found ..." in error messages. */
function dimensionOf(unit: Unit): string {
  const names: Array<[string, string]> = [
    ['B', 'bytes'],
    ['Hz', 'a frequency'],
    ['B/s', 'bytes per second'],
    ['B/clk', 'bytes per cycle'],
    ['clk', 'cycles'],
    ['s', 'a time'],
    ['J', 'an energy'],
    ['J/B', 'an energy per byte'],
    ['m', 'a length'],
    ['rad', 'an angle'],
  ];
  for (const [ref, words] of names) if (unit.equalBase(unitOf(ref))) return words;
  return `units of ${unit.formatUnits()}`;
}

/** Parses one quantity string of the given kind, or says what was found and what is allowed. */
export function parseQuantity(text: string, kind: QuantityKind): ParseResult {
  const spec = accepted[kind];
  const normalised = normaliseUnitText(text);
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(normalised)) {
    return { ok: false, problem: `found "${text}" (a number without a unit), allowed: ${spec.allowed}` };
  }
  let unit: Unit;
  try {
    unit = unitOf(normalised);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, problem: `found "${text}" (not a quantity mathjs can read: ${why}), allowed: ${spec.allowed}` };
  }
  const reading = spec.readings.find((r) => unit.equalBase(unitOf(r.unit)));
  if (reading === undefined) {
    return { ok: false, problem: `found "${text}" (${dimensionOf(unit)}), allowed: ${spec.allowed}` };
  }
  const value = unit.toNumber(reading.unit);
  if (!Number.isFinite(value))
    return { ok: false, problem: `found "${text}" (not a finite number), allowed: ${spec.allowed}` };
  if (value < 0 || (value === 0 && !spec.zeroAllowed)) {
    return { ok: false, problem: `found "${text}" (${value < 0 ? 'negative' : 'zero'}), allowed: ${spec.allowed}` };
  }
  return { ok: true, quantity: toQuantity(kind, reading.unit, value) };
}

/** Joules as picojoules, rounded to 15 significant digits: "3.875 pJ/bit" is 31 pJ/B, not 30.999999999999996. */
const picoRounded = (joules: number): number => Number((joules * 1e12).toPrecision(15));

function toQuantity(kind: QuantityKind, unit: string, value: number): Quantity {
  switch (kind) {
    case 'bytes':
      return { kind, bytes: value };
    case 'frequency':
      return { kind, hz: value };
    case 'bandwidth':
      return unit === 'B/s'
        ? { kind, per: 'second', bytesPerSecond: value }
        : { kind, per: 'cycle', bytesPerCycle: value };
    case 'latency':
      return unit === 's' ? { kind, per: 'second', seconds: value } : { kind, per: 'cycle', cycles: value };
    case 'energy':
      return { kind, pj: picoRounded(value) };
    case 'energyPerByte':
      return { kind, pjPerByte: picoRounded(value) };
    default:
      return kind satisfies never;
  }
}

/** Parses a quantity or throws a plain Error (for callers that validated the text already). */
export function quantityOf(text: string, kind: QuantityKind): Quantity {
  const result = parseQuantity(text, kind);
  if (!result.ok) throw new Error(`internal: unvalidated quantity ${result.problem}`);
  return result.quantity;
}

/** Formats a byte count with a binary prefix for summaries ("64 KiB", "1.5 GiB"). */
export function formatBytes(bytes: number): string {
  const prefixes = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < prefixes.length - 1) {
    value /= 1024;
    i += 1;
  }
  return `${Number(value.toPrecision(4))} ${prefixes[i]}`;
}

/** Formats a value with a decimal SI prefix ("700 MHz", "1.555 TB/s"). */
export function formatSi(value: number, unit: string): string {
  const prefixes: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  const found = prefixes.find(([scale]) => Math.abs(value) >= scale);
  const [scale, prefix] = found ?? [1, ''];
  return `${Number((value / scale).toPrecision(4))} ${prefix}${unit}`;
}

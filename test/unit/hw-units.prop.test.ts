// Properties of unit-string parsing and of the loader's unit conversion, for fast-check-drawn values:
// binary and decimal prefixes, per-second vs per-cycle bandwidth, unit-less and negative inputs
// always rejected with the right words, and summaries that parse back to what they print.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { parseHwData } from '../../src/hw/load.js';
import { formatBytes, parseQuantity, type QuantityKind } from '../../src/hw/units.js';

const kinds: QuantityKind[] = ['bytes', 'frequency', 'bandwidth', 'latency', 'energy', 'energyPerByte'];
const valueOf = (text: string, kind: QuantityKind): unknown => {
  const result = parseQuantity(text, kind);
  return result.ok ? result.quantity : result.problem;
};

test.prop([fc.integer({ min: 1, max: 2 ** 30 })])(
  '"N KiB" is N*1024 bytes, "N MiB" N*2^20, "N kB" and "N KB" N*1000',
  (n) => {
    expect(valueOf(`${n} KiB`, 'bytes')).toEqual({ kind: 'bytes', bytes: n * 1024 });
    expect(valueOf(`${n} MiB`, 'bytes')).toEqual({ kind: 'bytes', bytes: n * 2 ** 20 });
    expect(valueOf(`${n} kB`, 'bytes')).toEqual({ kind: 'bytes', bytes: n * 1000 });
    expect(valueOf(`${n}KB`, 'bytes')).toEqual({ kind: 'bytes', bytes: n * 1000 });
  },
);

test.prop([fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('clk', 'clks', 'cycle', 'cycles')])(
  '"N cycles" is N clock cycles, never an angle',
  (n, unit) => {
    expect(valueOf(`${n} ${unit}`, 'latency')).toEqual({ kind: 'latency', per: 'cycle', cycles: n });
  },
);

test.prop([fc.integer({ min: -1e9, max: 1e9 }).filter((n) => n !== 0), fc.constantFrom(...kinds)])(
  'a number without a unit is rejected for every kind',
  (n, kind) => {
    expect(valueOf(String(n / 10), kind)).toMatch(/\(a number without a unit\), allowed: /);
  },
);

test.prop([
  fc.integer({ min: 1, max: 1e9 }),
  fc.constantFrom<[QuantityKind, string]>(
    ['bytes', 'KiB'],
    ['frequency', 'MHz'],
    ['bandwidth', 'GB/s'],
    ['latency', 'ns'],
    ['energy', 'pJ'],
  ),
])('a negative quantity is rejected for every kind', (n, [kind, unit]) => {
  expect(valueOf(`-${n} ${unit}`, kind)).toMatch(/\(negative\), allowed: /);
});

test.prop([
  fc.integer({ min: 1, max: 1e6 }),
  fc.constantFrom<[string, string]>(
    ['MHz', 'a frequency'],
    ['ns', 'a time'],
    ['GB/s', 'bytes per second'],
    ['pJ', 'an energy'],
    ['m', 'a length'],
  ),
])('a quantity of the wrong dimension is rejected naming the dimension found', (n, [unit, dimension]) => {
  expect(valueOf(`${n} ${unit}`, 'bytes')).toBe(
    `found "${n} ${unit}" (${dimension}), allowed: a positive size in bytes such as "64 KiB", "24 MiB" or "40 MB"`,
  );
});

test.prop([fc.integer({ min: 0, max: 2 ** 50 })])(
  'formatBytes prints what parses back within its 4 significant digits',
  (bytes) => {
    const printed = formatBytes(bytes);
    const parsed = parseQuantity(printed, 'bytes');
    if (bytes === 0) expect(parsed.ok).toBe(false);
    else {
      expect(
        parsed.ok && parsed.quantity.kind === 'bytes' ? Math.abs(parsed.quantity.bytes - bytes) / bytes : 'failed',
      ).toBeLessThanOrEqual(5e-4);
    }
  },
);

/** A minimal valid file with drawn numbers, so the loader's conversions can be checked. */
function fileWith(
  clockMhz: number,
  sramKib: number,
  dramGbPerSecondTenths: number,
  latencyNs: number,
  linkBytesPerCycle: number,
): unknown {
  return {
    name: 'drawn',
    description: 'drawn by fast-check',
    clock: `${clockMhz} MHz`,
    wordBytes: 2,
    cores: { count: 2, systolic: [{ name: 'a', rows: 4, cols: 4, dataflow: 'ws' }], vector: [] },
    memory: [
      {
        name: 'sram',
        scope: 'core',
        capacity: `${sramKib} KiB`,
        bandwidth: `${linkBytesPerCycle} B/clk`,
        latency: '1 clk',
      },
      {
        name: 'dram',
        scope: 'chip',
        capacity: '64 GiB',
        bandwidth: `${dramGbPerSecondTenths / 10} GB/s`,
        latency: `${latencyNs} ns`,
      },
    ],
    noc: { topology: 'ring', linkBandwidth: `${linkBytesPerCycle} B/cycle`, hopLatency: '3 cycles' },
  };
}

test.prop([
  fc.integer({ min: 1, max: 5000 }),
  fc.integer({ min: 1, max: 65536 }),
  fc.integer({ min: 1, max: 100_000 }),
  fc.integer({ min: 0, max: 10_000 }),
  fc.integer({ min: 1, max: 4096 }),
])(
  'the loader converts per-second bandwidth and latency with the clock and keeps per-cycle values',
  (clockMhz, sramKib, dramTenths, latencyNs, linkBytes) => {
    const result = parseHwData(fileWith(clockMhz, sramKib, dramTenths, latencyNs, linkBytes), 'drawn');
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const clockHz = clockMhz * 1e6;
    const [sram, dram] = result.model.memory;
    expect(result.model.clockHz).toBe(clockHz);
    expect(sram?.capacityBytes).toBe(sramKib * 1024);
    expect(sram?.bandwidthBytesPerCycle).toBe(linkBytes);
    expect(dram?.bandwidthBytesPerCycle).toBeCloseTo((dramTenths * 1e8) / clockHz, 6);
    // Latency in time rounds up to whole cycles: never less than the time, less than one cycle more.
    const cycles = dram?.latencyCycles ?? Number.NaN;
    expect(cycles / clockHz).toBeGreaterThanOrEqual(latencyNs * 1e-9 - 1e-15);
    expect(cycles / clockHz).toBeLessThan(latencyNs * 1e-9 + 1 / clockHz);
    expect(result.model.noc).toEqual({ topology: 'ring', linkBandwidthBytesPerCycle: linkBytes, hopLatencyCycles: 3 });
  },
);

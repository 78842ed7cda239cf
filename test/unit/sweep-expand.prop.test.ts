// Point expansion: the grid is the full cartesian product, keys are stable (independent of key
// order) and distinct, and a seeded sample is reproducible and stays inside its ranges.
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { canonicalJson, expand, pointKey, rangeValues } from '../../src/sweep/expand.js';
import { parseSweepSpec } from '../../src/sweep/spec.js';

const base = {
  hw: 'edge-npu',
  models: ['mlp', 'cnn'],
  methods: ['alr', 'bp'],
  copies: [4, 8, 16],
  schedules: ['sequential'],
  batch: [2, 4],
  iterations: 1,
};

describe('sweep expansion', () => {
  test('the grid is the cartesian product of every dimension', () => {
    const spec = parseSweepSpec(
      {
        ...base,
        hwRanges: {
          'cores.systolic[0].rows': [8, 16, 32],
          'memory[0].capacity': { min: '64 KiB', max: '1024 KiB', factor: 2 },
        },
      },
      's',
    );
    const points = expand(spec);
    expect(rangeValues(spec.hwRanges['memory[0].capacity']!)).toEqual([
      '64 KiB',
      '128 KiB',
      '256 KiB',
      '512 KiB',
      '1024 KiB',
    ]);
    // models x (alr at 3 copy counts + bp once: BP draws no noise) x batch x rows x capacity.
    expect(points.length).toBe(2 * (3 + 1) * 2 * 3 * 5);
    expect(new Set(points.map((p) => p.key)).size).toBe(points.length);
  });

  test('points that do not depend on a swept field are one point: BP over K, micro-batches and staleness off the pipeline', () => {
    const spec = parseSweepSpec(
      {
        ...base,
        models: ['mlp'],
        batch: [4],
        schedules: ['sequential', 'layer-pipelined', 'gpipe'],
        microBatches: [1, 2],
        staleness: [0, 1],
      },
      's',
    );
    const points = expand(spec);
    const bp = points.filter((p) => p.method === 'bp');
    const shape = (p: (typeof points)[number]) => [p.schedule, p.copies, p.microBatches ?? null, p.staleness ?? null];
    // BP once over K; sequential once (no micro-batches, no staleness), gpipe once per M, layer-pipelined per M and staleness.
    expect(bp.map(shape)).toEqual([
      ['sequential', 1, null, null],
      ['layer-pipelined', 1, 1, 0],
      ['layer-pipelined', 1, 1, 1],
      ['layer-pipelined', 1, 2, 0],
      ['layer-pipelined', 1, 2, 1],
      ['gpipe', 1, 1, null],
      ['gpipe', 1, 2, null],
    ]);
    const alr = points.filter((p) => p.method === 'alr');
    expect(alr.length).toBe(3 * bp.length);
  });

  test('a stepped range includes both ends', () => {
    expect(rangeValues({ min: 8, max: 32, step: 8 })).toEqual([8, 16, 24, 32]);
  });

  fcTest.prop([fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean()))])(
    'canonical JSON ignores key order',
    (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse());
      expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
    },
  );

  test('the key changes with any field and not with property order', () => {
    const [p] = expand(parseSweepSpec(base, 's'));
    const { key, ...body } = p!;
    expect(pointKey(body)).toBe(key);
    expect(pointKey({ ...body, copies: body.copies + 1 })).not.toBe(key);
    expect(pointKey({ ...body, hwOverrides: { a: 1 } })).not.toBe(key);
    expect(pointKey(Object.fromEntries(Object.entries(body).reverse()) as typeof body)).toBe(key);
  });

  fcTest.prop([fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 40 })])(
    'a seeded sample is reproducible, distinct and inside its ranges',
    (seed, count) => {
      const spec = parseSweepSpec(
        {
          ...base,
          hwRanges: {
            'cores.systolic[0].rows': { min: 4, max: 128 },
            'memory[0].capacity': { min: '0.5 MiB', max: '4 MiB' },
          },
          sample: { count, seed },
        },
        's',
      );
      const a = expand(spec);
      expect(expand(spec)).toEqual(a);
      expect(a.length).toBe(count);
      expect(new Set(a.map((p) => p.key)).size).toBe(count);
      for (const p of a) {
        const rows = p.hwOverrides['cores.systolic[0].rows'] as number;
        expect(Number.isInteger(rows) && rows >= 4 && rows <= 128).toBe(true);
        const mib = Number.parseFloat(p.hwOverrides['memory[0].capacity'] as string);
        expect(mib >= 0.5 && mib <= 4).toBe(true);
      }
    },
  );

  test('different seeds give different samples', () => {
    const spec = (seed: number) =>
      parseSweepSpec(
        { ...base, hwRanges: { 'cores.systolic[0].rows': { min: 4, max: 128 } }, sample: { count: 10, seed } },
        's',
      );
    expect(expand(spec(1)).map((p) => p.key)).not.toEqual(expand(spec(2)).map((p) => p.key));
  });
});

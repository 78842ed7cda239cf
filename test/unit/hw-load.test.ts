// Shipped hardware models: each loads, is named after its file, points at schema.json, validates
// against the exported JSON Schema (read back with z.fromJSONSchema, independent of the zod source),
// and schema.json is in sync with the zod schema. Also pins the unit conversions of a few models
// against numbers recomputed here from their datasheets. scalesim-os32.cfg is a copy of SCALE-Sim v2's
// default config (shared/reference/scalesim-cases/os32.cfg).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import { hwJsonSchemaText } from '../../src/hw/json-schema.js';
import { defaultHwModelName, hwModelsDir, listHwModels, loadHwModel } from '../../src/hw/load.js';

const required = ['scalesim-32x32-os', 'tpu-v1-like', 'edge-npu', 'multicore-16', 'gpu-like'];
const schemaText = readFileSync(join(hwModelsDir, 'schema.json'), 'utf8');
const jsonSchemaValidator = z.fromJSONSchema(JSON.parse(schemaText) as z.core.JSONSchema.JSONSchema);
const rawOf = (name: string): unknown => JSON.parse(readFileSync(join(hwModelsDir, `${name}.json`), 'utf8'));

test('the required models are shipped and the default is one of them', () => {
  expect(listHwModels()).toEqual(expect.arrayContaining(required));
  expect(listHwModels()).toContain(defaultHwModelName);
});

test('hw-models/schema.json is what z.toJSONSchema makes of the zod schema (rerun: npx tsx src/hw/json-schema.ts)', () => {
  expect(schemaText).toBe(hwJsonSchemaText());
});

describe.each(listHwModels())('shipped model %s', (name) => {
  test('loads, is named after its file, and names its schema', () => {
    const model = loadHwModel(name);
    expect(model.name).toBe(name);
    expect((rawOf(name) as { $schema?: string }).$schema).toBe('./schema.json');
    expect(model.memory.length).toBeGreaterThanOrEqual(2);
    const last = model.memory[model.memory.length - 1];
    for (const level of model.memory) expect(level.capacityBytes).toBeLessThanOrEqual(last?.capacityBytes ?? 0);
  });
  test('validates against hw-models/schema.json', () => {
    expect(jsonSchemaValidator.safeParse(rawOf(name)).success).toBe(true);
  });
});

test('schema.json is not vacuous: it rejects an unknown key and a unit-less quantity', () => {
  const raw = rawOf('edge-npu') as Record<string, unknown>;
  expect(jsonSchemaValidator.safeParse({ ...raw, colour: 'blue' }).success).toBe(false);
  expect(jsonSchemaValidator.safeParse({ ...raw, clock: '800' }).success).toBe(false);
});

test('scalesim-32x32-os mirrors SCALE-Sim os32.cfg: 32x32 os, three 64 KiB buffers, 10 words/cycle', () => {
  const cfg = readFileSync(new URL('../fixtures/hw/scalesim-os32.cfg', import.meta.url), 'utf8');
  const field = (key: string): string => new RegExp(`${key}\\s*[:=]\\s*(\\w+)`).exec(cfg)?.[1] ?? 'absent';
  const model = loadHwModel('scalesim-32x32-os');
  const array = model.cores.systolic[0];
  expect([array?.rows, array?.cols, array?.dataflow]).toEqual([
    Number(field('ArrayHeight')),
    Number(field('ArrayWidth')),
    field('Dataflow'),
  ]);
  const sram = model.memory[0];
  expect(sram?.partition).toEqual({
    ifmapBytes: Number(field('IfmapSramSzkB')) * 1024,
    filterBytes: Number(field('FilterSramSzkB')) * 1024,
    ofmapBytes: Number(field('OfmapSramSzkB')) * 1024,
  });
  // One-byte words make SCALE-Sim's words-per-cycle bandwidth equal to bytes per cycle.
  expect(model.wordBytes).toBe(1);
  expect(model.memory[1]?.bandwidthBytesPerCycle).toBe(Number(field('Bandwidth')));
});

test('per-second bandwidths and latencies become per-cycle numbers through the clock', () => {
  const tpu = loadHwModel('tpu-v1-like');
  expect(tpu.clockHz).toBe(700e6);
  expect(tpu.memory[1]?.bandwidthBytesPerCycle).toBeCloseTo(34e9 / 700e6, 9);
  expect(tpu.memory[1]?.latencyCycles).toBe(Math.ceil(100e-9 * 700e6));
  const gpu = loadHwModel('gpu-like');
  const peakFlops = 2 * gpu.clockHz * gpu.cores.count * gpu.cores.systolic.reduce((s, a) => s + a.rows * a.cols, 0);
  // A100 datasheet: 312 TFLOPS dense fp16 on tensor cores.
  expect(Math.abs(peakFlops - 312e12) / 312e12).toBeLessThan(0.01);
});

test('an unknown name is a ConfigError listing the shipped names with a hint', () => {
  expect(() => loadHwModel('edge')).toThrow(ConfigError);
  expect(() => loadHwModel('edge')).toThrow(/found "edge".*allowed: .*multicore-16.*did you mean "edge-npu"/);
});

test('a SCALE-Sim .cfg path loads through src/hw/scalesim-cfg and agrees with the shipped scalesim-32x32-os', () => {
  const fromCfg = loadHwModel(fileURLToPath(new URL('../fixtures/hw/scalesim-os32.cfg', import.meta.url)));
  const shipped = loadHwModel('scalesim-32x32-os');
  expect(fromCfg.cores.systolic.map(({ rows, cols, dataflow }) => ({ rows, cols, dataflow }))).toEqual(
    shipped.cores.systolic.map(({ rows, cols, dataflow }) => ({ rows, cols, dataflow })),
  );
  expect(fromCfg.memory[0]?.partition).toEqual(shipped.memory[0]?.partition);
  expect([fromCfg.wordBytes, fromCfg.clockHz]).toEqual([shipped.wordBytes, shipped.clockHz]);
});

// hw calibrate's fit: measurements made up from a known machine (a 20x20 array, 16 lanes at 50 MHz,
// 30 us per call, 10 GB/s) are fitted back to that machine, the file it writes is one the hardware
// loader accepts, and simulating on it gives back the kernel times it was fitted to; a fit that
// ignored the call overhead would not. An existing --out file is refused without --force.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { estimateCycles } from '../../src/compiler/cost-model.js';
import { ConfigError } from '../../src/errors.js';
import { parseHwData } from '../../src/hw/load.js';
import type { HwModel } from '../../src/hw/types.js';
import type { Work } from '../../src/ir/types.js';
import { calibrateHost } from '../../src/train/calibrate/calibrate-host.js';
import { fitHostModel } from '../../src/train/calibrate/fit-host-model.js';
import type { HostMeasurements, KernelTiming } from '../../src/train/calibrate/measure-host.js';

const clockHz = 50e6;
const truth: HwModel = {
  name: 'truth', description: 'truth', clockHz, wordBytes: 4, memory: [],
  cores: { count: 1, systolic: [{ name: 'a', rows: 20, cols: 20, dataflow: 'os' }], vector: [{ name: 'v', lanes: 16 }] },
};
const launchSeconds = 30e-6;
const bandwidth = 10e9;

function timing(name: string, work: Work, bytes: number): KernelTiming {
  return { name, work, bytes, seconds: estimateCycles(work, truth) / clockHz + launchSeconds + bytes / bandwidth };
}

const measurements: HostMeasurements = {
  backend: 'made-up', threads: 2, launchSeconds, bandwidthBytesPerSecond: bandwidth,
  gemm: [[64, 784, 256], [4096, 256, 10], [512, 512, 512]].map(([m, k, n]) => timing(`mm ${m}`, { kind: 'gemm', m: m!, n: n!, k: k!, groups: 1 }, 4 * (m! * k! + k! * n! + m! * n!))),
  vector: [[1 << 20, 10], [1 << 20, 2], [1 << 18, 2]].map(([e, ops]) => timing(`v ${e}x${ops}`, { kind: 'vector', elements: e!, opsPerElement: ops! }, 8 * e!)),
};

test('the fit recovers a known machine, and its file loads and predicts the fitted kernels', () => {
  const fit = fitHostModel(measurements, 'host', new Date(0));
  const parsed = parseHwData(fit.file, 'host.json');
  expect(parsed.ok).toBe(true);
  if (!parsed.ok) return;
  const hw = parsed.model;
  expect(hw.cores.systolic[0]!.rows).toBe(20);
  expect(hw.clockHz / clockHz).toBeCloseTo(1, 3);
  expect(hw.memory.at(-1)!.latencyCycles).toBe(Math.round(launchSeconds * hw.clockHz));
  for (const r of fit.ratios) expect(r.predictedSeconds / r.measuredSeconds, r.name).toBeCloseTo(1, 2);
  expect(fit.file.description).toMatch(/made-up \(2 threads\)/);
});

test('an existing --out file is refused without --force, before measuring', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'alrflow-calibrate-')), 'host.json');
  writeFileSync(out, '{}');
  await expect(calibrateHost('reference', out, false)).rejects.toThrow(ConfigError);
});

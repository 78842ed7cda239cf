// hw calibrate's fit: measurements made up from a known machine (a 20x20 array, 16 lanes at 50 MHz,
// 30 us per call, 10 GB/s) are fitted back to that machine, the file it writes is one the hardware
// loader accepts, and simulating on it gives back the kernel times it was fitted to; a fit that
// ignored the call overhead would not. Probe-step nodes timed on a machine with known costs per op
// class are fitted back to those costs, and the model predicts them; without the class costs it
// would not. An existing --out file is refused without --force.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { estimateCycles } from '../../src/compiler/cost-model.js';
import { stepGraph } from '../../src/compiler/compile.js';
import { resolveCompileOptions } from '../../src/compiler/compile-options.js';
import { ConfigError } from '../../src/errors.js';
import { parseHwData } from '../../src/hw/load.js';
import type { HwModel } from '../../src/hw/types.js';
import { opClass } from '../../src/ir/op-class.js';
import { OP_CLASSES, type OpClass, type Work } from '../../src/ir/types.js';
import { workOf } from '../../src/ir/work-of.js';
import { mlp } from '../../src/models/builders.js';
import { calibrateHost } from '../../src/train/calibrate/calibrate-host.js';
import { fitClass, fitHostModel } from '../../src/train/calibrate/fit-host-model.js';
import type { HostMeasurements, KernelTiming } from '../../src/train/calibrate/measure-host.js';
import type { ProbeStep, StepTiming } from '../../src/train/calibrate/measure-steps.js';
import { stepSource } from '../../src/compiler/step-source.js';

const clockHz = 50e6;
const truth: HwModel = {
  name: 'truth',
  description: 'truth',
  clockHz,
  wordBytes: 4,
  memory: [],
  cores: {
    count: 1,
    systolic: [{ name: 'a', rows: 20, cols: 20, dataflow: 'os' }],
    vector: [{ name: 'v', lanes: 16 }],
  },
};
const launchSeconds = 30e-6;
const bandwidth = 10e9;

function timing(name: string, work: Work, bytes: number): KernelTiming {
  return { name, work, bytes, seconds: estimateCycles(work, truth) / clockHz + launchSeconds + bytes / bandwidth };
}

/** The known machine's extra cost per op class: each class its own fixed cycles and scale. */
const classCost = (op: OpClass): { fixedCycles: number; scale: number } => {
  const i = OP_CLASSES.indexOf(op);
  return { fixedCycles: 400 + 150 * i, scale: 1.5 + 0.25 * i };
};
const costed: HwModel = {
  ...truth,
  cores: { ...truth.cores, opCosts: Object.fromEntries(OP_CLASSES.map((op) => [op, classCost(op)])) },
};

function probeStep(widths: number[], batch: number, method: 'bp' | 'alr'): StepTiming {
  const network = mlp(widths);
  const probe: ProbeStep = { name: network.name, network: stepSource(network), method, batch, copies: 4 };
  const graph = stepGraph(network, resolveCompileOptions({ method, copies: 4, batch, schedule: 'sequential' }));
  const nodes = graph.nodes
    .filter((node) => opClass(node) !== undefined)
    .map((node) => ({ node, seconds: estimateCycles(workOf(node), costed) / clockHz + launchSeconds }));
  return { probe, seconds: nodes.reduce((s, n) => s + n.seconds, 0), nodes };
}

const measurements: HostMeasurements = {
  backend: 'made-up',
  threads: 2,
  launchSeconds,
  bandwidthBytesPerSecond: bandwidth,
  steps: [
    probeStep([20, 8, 3], 16, 'alr'),
    probeStep([60, 40, 5], 50, 'alr'),
    probeStep([20, 8, 3], 16, 'bp'),
    probeStep([60, 40, 5], 50, 'bp'),
  ],
  gemm: [
    [64, 784, 256],
    [4096, 256, 10],
    [512, 512, 512],
  ].map(([m, k, n]) =>
    timing(`mm ${m}`, { kind: 'gemm', m: m!, n: n!, k: k!, groups: 1 }, 4 * (m! * k! + k! * n! + m! * n!)),
  ),
  vector: [
    [1 << 20, 10],
    [1 << 20, 2],
    [1 << 18, 2],
  ].map(([e, ops]) => timing(`v ${e}x${ops}`, { kind: 'vector', elements: e!, opsPerElement: ops! }, 8 * e!)),
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

test("the fit recovers each op class's fixed cost and scale from probe-step nodes, and predicts them only with those costs", () => {
  const fit = fitHostModel(measurements, 'host', new Date(0));
  const parsed = parseHwData(fit.file, 'host.json');
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const costs = parsed.model.cores.opCosts ?? {};
  expect(fit.classes.length).toBeGreaterThanOrEqual(8);
  for (const c of fit.classes) {
    // Within 2%: the simulator rounds each node's cycles up, which the smallest classes feel.
    expect(Math.abs(costs[c.op]!.scale / classCost(c.op).scale - 1), c.op).toBeLessThan(0.02);
    expect(Math.abs(costs[c.op]!.fixedCycles - classCost(c.op).fixedCycles), c.op).toBeLessThanOrEqual(2);
    expect(c.predictedSeconds / c.measuredSeconds, c.op).toBeCloseTo(1, 2);
  }
  const plain = { ...parsed.model, cores: { ...parsed.model.cores, opCosts: {} } };
  const step = measurements.steps[1]!;
  const seconds = (hw: HwModel): number =>
    step.nodes.reduce((s, n) => s + estimateCycles(workOf(n.node), hw) / hw.clockHz + launchSeconds, 0);
  expect(seconds(parsed.model) / step.seconds).toBeCloseTo(1, 2);
  expect(seconds(plain) / step.seconds).toBeLessThan(0.8);
});

test('fitClass: an exact line comes back; a negative intercept is clamped to 0', () => {
  expect(
    fitClass([
      { b: 10, t: 120 },
      { b: 30, t: 160 },
      { b: 100, t: 300 },
    ]),
  ).toEqual({ fixed: expect.closeTo(100, 6), scale: expect.closeTo(2, 6) });
  const clamped = fitClass([
    { b: 10, t: 10 },
    { b: 100, t: 300 },
  ]);
  expect(clamped.fixed).toBe(0);
  expect(clamped.scale).toBeGreaterThan(0);
});

test('an existing --out file is refused without --force, before measuring', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'alrflow-calibrate-')), 'host.json');
  writeFileSync(out, '{}');
  await expect(calibrateHost('reference', out, false)).rejects.toThrow(ConfigError);
});

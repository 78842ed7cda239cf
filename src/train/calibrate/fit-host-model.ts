// Fits a hardware model (hw-models file format) to host measurements (measure-host.ts), using the
// simulator's own cost formulas, so that simulating a step on it predicts what the runtime measures:
// one core (a backend's threads serve one kernel at a time, so the measured rates are the device's);
// a kernel call's fixed cost is the latency of the one memory level everything lives in, its bytes
// move at the measured copy bandwidth; the clock makes the vector unit's 16 lanes do the measured
// elementwise rate (all measured elementwise kernels' IR ops over their total compute time, so the
// kernels that take longest weigh most, as they do in a step); the output-stationary array's side is
// the one whose fold formula best fits the measured matmul times (least squares of the differences
// over the measured time, again weighting long kernels). On that machine, each op class the probe
// steps ran (measure-steps.ts) gets its own cost, cycles = call overhead + fixed + scale * formula,
// fitted by weighted least squares over that class's nodes (fitClass): the runtime's real time per
// node, host work included, which bare kernel rates under-predict 2-8x. A fit, not the CPU's structure.
import { group } from 'd3';
import { freemem, totalmem } from 'node:os';
import { estimateCycles } from '../../compiler/cost-model.js';
import type { HwFile } from '../../hw/schema.js';
import type { HwModel } from '../../hw/types.js';
import type { OpClass } from '../../ir/types.js';
import { opClass } from '../../ir/op-class.js';
import { workOf } from '../../ir/work-of.js';
import type { HostMeasurements, KernelTiming } from './measure-host.js';

const lanes = 16;

export interface FitReport {
  file: HwFile;
  /** Per measured kernel: the fitted model's time over the measured time. */
  ratios: { name: string; measuredSeconds: number; predictedSeconds: number }[];
  /** Per op class fitted: probe nodes, and their measured and fitted seconds summed. */
  classes: { op: OpClass; nodes: number; measuredSeconds: number; predictedSeconds: number }[];
}

interface ClassFit {
  fixed: number;
  scale: number;
}

/**
 * fixed >= 0 and scale > 0 minimising the sum of (fixed + scale * b - t)^2 / t over the points
 * (b: formula cycles, t: measured cycles less the call overhead): weighted least squares between
 * absolute error (the long nodes that make a step's time) and relative error (every node), with
 * fixed at 0 where the unconstrained optimum is negative or the formula cycles are all alike.
 */
export function fitClass(points: { b: number; t: number }[]): ClassFit {
  let sw = 0,
    sb = 0,
    sbb = 0,
    st = 0,
    sbt = 0;
  for (const { b, t } of points) {
    const w = 1 / t;
    sw += w;
    sb += w * b;
    sbb += w * b * b;
    st += w * t;
    sbt += w * b * t;
  }
  const det = sw * sbb - sb * sb;
  if (det > 1e-9 * sw * sbb) {
    const fixed = (st * sbb - sb * sbt) / det;
    const scale = (sw * sbt - sb * st) / det;
    if (fixed >= 0 && scale > 0) return { fixed, scale };
    if (scale <= 0) return { fixed: st / sw, scale: 1e-6 };
  }
  return { fixed: 0, scale: Math.max(sbt / sbb, 1e-6) };
}

/** Seconds a kernel spends computing: measured, less the call's fixed cost and its bytes' time (at least a twentieth). */
function computeSeconds(m: HostMeasurements, t: KernelTiming): number {
  return Math.max(t.seconds - m.launchSeconds - t.bytes / m.bandwidthBytesPerSecond, t.seconds / 20);
}

function opsOf(t: KernelTiming): number {
  return t.work.kind === 'vector' ? t.work.elements * t.work.opsPerElement : 0;
}

/** The fitted machine's one core: a side x side output-stationary array and the vector lanes. */
function coresOf(side: number) {
  return {
    count: 1,
    systolic: [{ name: 'matmul', rows: side, cols: side, dataflow: 'os' as const }],
    vector: [{ name: 'simd', lanes }],
  };
}

function modelWith(side: number, clockHz: number): HwModel {
  return { name: 'fit', description: 'fit', clockHz, wordBytes: 4, memory: [], cores: coresOf(side) };
}

function fitSide(m: HostMeasurements, clockHz: number): number {
  let best = { side: 1, error: Infinity };
  for (let side = 1; side <= 512; side++) {
    const hw = modelWith(side, clockHz);
    const error = m.gemm.reduce((s, t) => {
      const measured = computeSeconds(m, t);
      return s + (estimateCycles(t.work, hw) / clockHz - measured) ** 2 / measured;
    }, 0);
    if (error < best.error) best = { side, error };
  }
  return best.side;
}

const si = (v: number, unit: string): string => `${Number(v.toPrecision(4))} ${unit}`;

type StepNode = HostMeasurements['steps'][number]['nodes'][number];

/** Each op class's probe nodes, fitted (formula cycles b, measured cycles less the call overhead t), costs rounded as the file holds them. */
function fitOpClasses(nodes: StepNode[], hw: HwModel, clockHz: number, latencyCycles: number) {
  const fits = [
    ...group(
      nodes.filter((n) => opClass(n.node) !== undefined),
      (n) => opClass(n.node)!,
    ),
  ].map(([op, mine]) => {
    const f = fitClass(
      mine.map((n) => ({ b: estimateCycles(workOf(n.node), hw), t: Math.max(n.seconds * clockHz - latencyCycles, 1) })),
    );
    return { op, mine, cost: { fixedCycles: Math.round(f.fixed), scale: Number(f.scale.toPrecision(6)) } };
  });
  const costed: HwModel = {
    ...hw,
    cores: { ...hw.cores, opCosts: Object.fromEntries(fits.map(({ op, cost }) => [op, cost])) },
  };
  const classes = fits.map(({ op, mine }) => ({
    op,
    nodes: mine.length,
    measuredSeconds: mine.reduce((s, n) => s + n.seconds, 0),
    predictedSeconds: mine.reduce((s, n) => s + (estimateCycles(workOf(n.node), costed) + latencyCycles) / clockHz, 0),
  }));
  return { fits, classes };
}

interface FittedMachine {
  side: number;
  clockHz: number;
  opsPerSecond: number;
  latencyCycles: number;
  nodes: number;
  opCosts: Record<string, { fixed: string; scale: number }>;
}

function hostFile(m: HostMeasurements, name: string, when: Date, fit: FittedMachine): HwFile {
  const { side, clockHz, opsPerSecond, latencyCycles, opCosts } = fit;
  const rates = m.gemm
    .map(
      (t) =>
        `${t.name} ${(t.work.kind === 'gemm' ? (2 * t.work.m * t.work.n * t.work.k) / t.seconds / 1e9 : 0).toFixed(2)} GFLOP/s`,
    )
    .join(', ');
  return {
    name,
    description:
      `This machine as measured by alrflow hw calibrate on backend ${m.backend} (${m.threads} thread${m.threads === 1 ? '' : 's'}), ${when.toISOString()}: ` +
      `kernel call overhead ${(m.launchSeconds * 1e6).toFixed(1)} us, copy bandwidth ${(m.bandwidthBytesPerSecond / 1e9).toFixed(2)} GB/s, ` +
      `elementwise ${(opsPerSecond / 1e9).toFixed(3)} G IR-ops/s, matmul ${rates}. A fit of the simulator's formulas, not the CPU's structure: ` +
      `one core, a ${side}x${side} output-stationary array and ${lanes} vector lanes at a clock chosen for them, one memory level whose latency is the call overhead, ` +
      `and a cost per op class fitted to ${fit.nodes} nodes of ${m.steps.length} probe training steps (the runtime's time per node, host work included).`,
    source: `alrflow hw calibrate --backend ${m.backend}`,
    clock: si(clockHz, 'Hz'),
    wordBytes: 4,
    cores: Object.keys(opCosts).length > 0 ? { ...coresOf(side), opCosts } : coresOf(side),
    memory: [
      {
        name: 'registers',
        scope: 'core',
        capacity: '1 KiB',
        bandwidth: '1000 TB/s',
        latency: '0 clk',
        doubleBuffered: true,
      },
      {
        name: 'ram',
        scope: 'chip',
        capacity: si(Math.min(totalmem(), Math.max(freemem(), totalmem() / 2)), 'B'),
        bandwidth: si(m.bandwidthBytesPerSecond, 'B/s'),
        latency: `${latencyCycles} clk`,
      },
    ],
  };
}

export function fitHostModel(m: HostMeasurements, name: string, when: Date): FitReport {
  const opsPerSecond =
    m.vector.reduce((s, t) => s + opsOf(t), 0) / m.vector.reduce((s, t) => s + computeSeconds(m, t), 0);
  const clockHz = opsPerSecond / lanes;
  const side = fitSide(m, clockHz);
  const hw = modelWith(side, clockHz);
  const latencyCycles = Math.max(1, Math.round(m.launchSeconds * clockHz));
  const predict = (t: KernelTiming): number =>
    (estimateCycles(t.work, hw) + latencyCycles) / clockHz + t.bytes / m.bandwidthBytesPerSecond;
  const ratios = [...m.gemm, ...m.vector].map((t) => ({
    name: t.name,
    measuredSeconds: t.seconds,
    predictedSeconds: predict(t),
  }));
  const nodes = m.steps.flatMap((s) => s.nodes);
  const { fits, classes } = fitOpClasses(nodes, hw, clockHz, latencyCycles);
  const opCosts = Object.fromEntries(
    fits.map(({ op, cost }) => [op, { fixed: `${cost.fixedCycles} clk`, scale: cost.scale }]),
  );
  const fit = { side, clockHz, opsPerSecond, latencyCycles, nodes: nodes.length, opCosts };
  return { file: hostFile(m, name, when, fit), ratios, classes };
}

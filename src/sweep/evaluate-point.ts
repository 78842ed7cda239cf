// evaluatePoint: one sweep point -> compile -> feasibility -> simulate -> one result row. It never
// throws: a point whose hardware values or options are refused is 'invalid', one that does not fit
// is 'infeasible' (with the compiler's shortfalls), a simulator failure or bug is 'error'; all are
// recorded with their reason. Runs inside worker threads, so it imports the heavy modules itself.
import { compile } from '../compiler/compile.js';
import type { CompileOptionsInput } from '../compiler/compile-options.js';
import {
  AlrflowError,
  ConfigError,
  InfeasibleMappingError,
  InvalidInputError,
  UnsupportedKernelError,
} from '../errors.js';
import type { Method } from '../compiler/methods/names.js';
import type { Network } from '../models/layers.js';
import { buildModel, type ModelOptions } from '../models/registry.js';
import type { SimReport } from '../report/sim-report.js';
import { simulate } from '../../sim/simulate.js';
import { hwWithOverrides } from './hw-overrides.js';
import type { PointResult, SweepPoint } from './types.js';

/** The metrics of one simulation that a sweep keeps (no timeline, no timings of this run). */
export function resultMetrics(report: SimReport): Omit<PointResult, 'key' | 'point' | 'status'> {
  const peakBytesByLevel: Record<string, number> = {};
  for (const m of report.memory) peakBytesByLevel[m.level] = Math.max(peakBytesByLevel[m.level] ?? 0, m.peakBytes);
  const compute = report.units.filter((u) => u.kind !== 'link');
  const total = report.energy?.totalJoules ?? null;
  const energy = total === null ? {} : { energyJoulesPerIteration: total / report.input.iterations };
  return {
    iterationsPerSecond: report.throughput.iterationsPerSecond,
    samplesPerSecond: report.throughput.samplesPerSecond,
    cyclesPerIteration: report.cycles.steadyStatePerIteration,
    peakBytesByLevel,
    peakMemoryBytes: Object.values(peakBytesByLevel).reduce((a, b) => a + b, 0),
    ...energy,
    utilisation: compute.length === 0 ? 0 : compute.reduce((s, u) => s + u.utilisation, 0) / compute.length,
    bubbleRatio: report.bubbleRatio,
  };
}

function compileInput(point: SweepPoint): CompileOptionsInput {
  return {
    method: point.method as Method,
    copies: point.copies,
    batch: point.batch,
    schedule: point.schedule as CompileOptionsInput['schedule'],
    ...(point.microBatches === undefined ? {} : { microBatches: point.microBatches }),
    ...(point.staleness === undefined ? {} : { staleness: point.staleness }),
    ...(point.noiseStorage === undefined
      ? {}
      : { noiseStorage: point.noiseStorage as CompileOptionsInput['noiseStorage'] }),
  };
}

function failure(point: SweepPoint, err: unknown): PointResult {
  const message = err instanceof Error ? err.message : String(err);
  const refused =
    err instanceof ConfigError || err instanceof InvalidInputError || err instanceof UnsupportedKernelError;
  const status = refused ? 'invalid' : err instanceof InfeasibleMappingError ? 'infeasible' : 'error';
  const reason =
    err instanceof AlrflowError
      ? message
      : `internal error: ${err instanceof Error ? (err.stack ?? message) : message}`;
  return { key: point.key, point, status, reason };
}

/** A shipped model built with the point's options, or an ONNX file (path as the spec gives it). */
async function pointNetwork(name: string, options: ModelOptions): Promise<Network> {
  if (!name.toLowerCase().endsWith('.onnx')) return buildModel(name, options);
  const { loadOnnxNetwork } = await import('../models/importers/onnx-network.js');
  return loadOnnxNetwork(name).network;
}

export async function evaluatePoint(point: SweepPoint): Promise<PointResult> {
  try {
    const hw = hwWithOverrides(point.hw, point.hwOverrides);
    const { name, ...modelOptions } = typeof point.model === 'string' ? { name: point.model } : point.model;
    const step = compile(await pointNetwork(name, modelOptions), hw, compileInput(point));
    if (!step.feasibility.ok)
      return { key: point.key, point, status: 'infeasible', reason: step.feasibility.shortfalls.join('; ') };
    const report = simulate(step, { iterations: point.iterations, model: name, timelineLimit: 0 });
    return { key: point.key, point, status: 'ok', ...resultMetrics(report) };
  } catch (err) {
    return failure(point, err);
  }
}

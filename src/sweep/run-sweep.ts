// The sweep coordinator: validates the spec (every problem at once), expands the points, opens the
// results folder (refusing to overwrite it without --resume or --force), hands the points not yet
// saved to the local thread pool or the Redis queue, saves each result as it arrives, and marks the
// Pareto front at the end. It prints nothing: progress goes to the caller's callbacks.
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadHwModel } from '../hw/load.js';
import { loadOnnxNetwork } from '../models/importers/onnx-network.js';
import { writeFileAtomic } from '../output-file.js';
import { expand, pointCountBound, rangeCount } from './expand.js';
import { checkHwRanges } from './hw-overrides.js';
import { runLocal } from './local-pool.js';
import { namedObjectives, objectivesFor, paretoFront } from './pareto.js';
import { energyNotModelled, energyTotalModelled } from '../hw/energy-coverage.js';
import { hwWithOverrides } from './hw-overrides.js';
import { ResultsStore } from './results-store.js';
import { readSweepSpec, type SweepSpec } from './spec.js';
import type { PointResult, PointStatus, SweepPoint } from './types.js';

export interface RunSweepOptions {
  specPath: string;
  outDir: string;
  resume?: boolean;
  force?: boolean;
  /** Local worker threads (default one per core); ignored with `queue`. */
  workers?: number;
  /** redis://HOST:PORT: run on BullMQ workers instead of local threads. */
  queue?: string;
  queueName?: string;
  /** Module exporting evaluatePoint, for tests; default the real compile+simulate. */
  evaluatorModule?: string;
  /** The most points a sweep may have (default defaultMaxPoints); a larger spec is refused before anything is created. */
  maxPoints?: number;
  onStart?: (info: { total: number; todo: number; skipped: number; discardedBytes: number }) => void;
  onResult?: (result: PointResult, done: number, todo: number) => void;
}

export interface SweepOutcome {
  spec: SweepSpec;
  total: number;
  skipped: number;
  evaluated: number;
  byStatus: Record<PointStatus, number>;
  rows: PointResult[];
  front: PointResult[];
  objectives: string[];
}

export const defaultMaxPoints = 100_000;

/** Refuses a spec of more than maxPoints points, before they are listed (a million points would take minutes). */
function checkPointCount(spec: SweepSpec, specPath: string, maxPoints: number): void {
  const endless = Object.entries(spec.hwRanges).filter(([, r]) => !Number.isFinite(rangeCount(r)));
  if (endless.length > 0) {
    throw new ConfigError(
      endless.map(
        ([field]) =>
          `${specPath}: hwRanges["${field}"]: a "factor" range from 0 or below never reaches max; allowed: a min above 0, or "step"`,
      ),
    );
  }
  const bound = pointCountBound(spec);
  if (bound <= maxPoints) return;
  const what = spec.sample
    ? `"sample.count" asks for ${bound} points`
    : `the grid has ${Number.isFinite(bound) ? bound : 'unboundedly many'} points`;
  throw new ConfigError([
    `${specPath}: ${what}; allowed: at most --max-points ${maxPoints}. Hint: coarsen a range (a larger "step" or "factor"), sample the space ("sample": {"count": N, "seed": S}), or raise --max-points`,
  ]);
}

/** The spec, checked against its base hardware model and its size; ConfigError with every problem. */
export function prepareSweep(
  specPath: string,
  maxPoints = defaultMaxPoints,
): { spec: SweepSpec; points: SweepPoint[]; levels: string[] } {
  const checked = readSweepSpec(specPath);
  // Before the hardware ranges: checking them parses a model per value, which a huge range makes slow.
  if (checked.ok) checkPointCount(checked.spec, specPath, maxPoints);
  const hwPart = checked.ok ? checked.spec : checked.hwPart;
  const problems = [...checked.problems, ...(hwPart ? checkHwRanges(hwPart, specPath) : [])];
  if (!checked.ok || problems.length > 0) throw new ConfigError(problems);
  const spec = checked.spec;
  checkOnnxModels(spec);
  const points = expand(spec);
  if (points.length === 0) throw new ConfigError([`${specPath}: the spec expands to no point; hint: check the ranges`]);
  if (spec.objectives?.includes('energy')) checkEnergyModelled(points, specPath);
  return { spec, points, levels: loadHwModel(spec.hw, `${specPath}: hw`).memory.map((m) => m.name) };
}

/**
 * Each .onnx model of the spec, imported once before the results folder is created: an unsupported
 * operator or an unreadable file is refused (exit 2, naming the file) instead of an invalid point per row.
 */
function checkOnnxModels(spec: SweepSpec): void {
  const names = spec.models.map((m) => (typeof m === 'string' ? m : m.name));
  for (const name of new Set(names)) if (name.toLowerCase().endsWith('.onnx')) loadOnnxNetwork(name);
}

/** Minimising energy needs energy figures on every point's hardware: a ConfigError (exit 2) names what is missing. */
function checkEnergyModelled(points: readonly SweepPoint[], specPath: string): void {
  const seen = new Set<string>();
  for (const p of points) {
    const key = JSON.stringify([p.hw, p.hwOverrides]);
    if (seen.has(key)) continue;
    seen.add(key);
    const hw = hwWithOverrides(p.hw, p.hwOverrides);
    if (energyTotalModelled(hw)) continue;
    const at = Object.keys(p.hwOverrides).length > 0 ? ` with ${JSON.stringify(p.hwOverrides)}` : '';
    throw new ConfigError([
      `${specPath}: objectives: found "energy", but hardware model ${hw.name}${at} has no energy figures for ${energyNotModelled(
        hw,
      )
        .filter((part) => part !== 'noc')
        .join(
          ', ',
        )} (energy not modelled); allowed: "energy" only on models with macEnergy and read/write energies on every memory level; hint: drop "energy" from objectives or add the figures`,
    ]);
  }
}

export async function runSweep(options: RunSweepOptions): Promise<SweepOutcome> {
  const { spec, points, levels } = prepareSweep(options.specPath, options.maxPoints);
  // A bad or unreachable --queue is refused before the results folder is created.
  if (options.queue) (await (await import('./queue.js')).connectRedis(options.queue)).disconnect();
  const store = ResultsStore.open(options.outDir, {
    resume: options.resume,
    force: options.force,
    overrideFields: Object.keys(spec.hwRanges),
    levels,
  });
  writeFileAtomic(join(options.outDir, 'spec.json'), `${JSON.stringify(spec, null, 2)}\n`);
  const todo = points.filter((p) => !store.has(p.key));
  options.onStart?.({
    total: points.length,
    todo: todo.length,
    skipped: points.length - todo.length,
    discardedBytes: store.discardedBytes,
  });
  let done = 0;
  const save = (r: PointResult): void => {
    if (!store.append(r)) return;
    done += 1;
    options.onResult?.(r, done, todo.length);
  };
  if (todo.length > 0) {
    // bullmq is loaded only for queued sweeps: it takes about a second to import.
    if (options.queue)
      await (
        await import('./queue.js')
      ).runQueued(todo, { url: options.queue, queueName: options.queueName, fresh: !options.resume }, save);
    else await runLocal(todo, { workers: options.workers, evaluatorModule: options.evaluatorModule }, save);
  }
  const rows = store.all();
  const objectives = spec.objectives ? namedObjectives(spec.objectives) : objectivesFor(rows);
  const front = paretoFront(rows, objectives);
  store.finish(
    new Set(front.map((r) => r.key)),
    objectives.map((o) => o.name),
  );
  const byStatus: Record<PointStatus, number> = { ok: 0, infeasible: 0, invalid: 0, error: 0 };
  for (const r of rows) byStatus[r.status] += 1;
  return {
    spec,
    total: points.length,
    skipped: points.length - todo.length,
    evaluated: done,
    byStatus,
    rows,
    front,
    objectives: objectives.map((o) => o.name),
  };
}

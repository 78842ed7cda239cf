// Runs sweep points on worker threads of this machine with piscina, one worker per core by
// default. Each thread evaluates a point with the evaluator module's `evaluatePoint` (the real one
// by default, a test double in tests). It does not store results: every result goes to onResult
// as soon as its point finishes.
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { packagePath } from '../package-root.js';
import type { PointResult, SweepPoint } from './types.js';

export interface LocalPoolOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  /** Module exporting evaluatePoint (a path or file URL); default: ./evaluate-point.ts. */
  evaluatorModule?: string;
}

export const defaultWorkers = (): number => availableParallelism();

function moduleUrl(module: string | undefined): string {
  if (module === undefined) return pathToFileURL(packagePath('src', 'sweep', 'evaluate-point.ts')).href;
  if (module.startsWith('file:')) return module;
  return pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
}

/** A result row for a point whose worker died or threw (evaluatePoint itself never throws). */
export function errorResult(point: SweepPoint, err: unknown): PointResult {
  const message = err instanceof Error ? err.message : String(err);
  return { key: point.key, point, status: 'error', reason: `internal error while evaluating: ${message}` };
}

/** A pool of worker threads evaluating points; reusable across calls, closed with destroy(). */
export class LocalPool {
  private readonly pool: Piscina;
  readonly workers: number;

  constructor(options: LocalPoolOptions = {}) {
    this.workers = options.workers ?? defaultWorkers();
    this.pool = new Piscina({
      filename: pathToFileURL(packagePath('src', 'sweep', 'pool-worker.mjs')).href,
      minThreads: this.workers,
      maxThreads: this.workers,
      // Idle threads are kept: a sweep hands out points until the end, and startup (tsx) costs ~100 ms.
      idleTimeout: 60_000,
      workerData: { evaluatorUrl: moduleUrl(options.evaluatorModule) },
    });
  }

  evaluate(point: SweepPoint): Promise<PointResult> {
    return (this.pool.run(point) as Promise<PointResult>).catch((err: unknown) => errorResult(point, err));
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Evaluates every point on a fresh pool and hands each result to onResult as it finishes. */
export async function runLocal(
  points: readonly SweepPoint[],
  options: LocalPoolOptions,
  onResult: (r: PointResult) => void,
): Promise<void> {
  const pool = new LocalPool(options);
  try {
    await Promise.all(points.map((p) => pool.evaluate(p).then(onResult)));
  } finally {
    await pool.destroy();
  }
}

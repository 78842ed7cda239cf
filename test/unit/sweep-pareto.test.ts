// The Pareto front against its definition: no front point is dominated, every other ok point is
// dominated by a front point, infeasible points never enter it, and energy counts only when every
// point has it. A deliberately broken front (throughput only) must fail the same check.
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  dominates,
  memoryObjective,
  objectivesFor,
  paretoFront,
  throughputObjective,
  type Objective,
} from '../../src/sweep/pareto.js';
import type { PointResult } from '../../src/sweep/types.js';

function row(i: number, ips: number, mem: number, energy?: number, status: PointResult['status'] = 'ok'): PointResult {
  const point = {
    key: `k${i}`,
    hw: 'h',
    hwOverrides: {},
    model: 'mlp',
    method: 'alr',
    copies: 1,
    schedule: 'sequential',
    batch: 1,
    iterations: 1,
  };
  return {
    key: point.key,
    point,
    status,
    iterationsPerSecond: ips,
    peakMemoryBytes: mem,
    ...(energy === undefined ? {} : { energyJoulesPerIteration: energy }),
  };
}

const vec = (r: PointResult, objectives: readonly Objective[]): number[] =>
  objectives.map((o) => (o.sense === 'max' ? o.value(r)! : -o.value(r)!));

/** The definition, checked for any candidate front. */
function isParetoFront(rows: PointResult[], front: PointResult[], objectives: readonly Objective[]): boolean {
  const ok = rows.filter((r) => r.status === 'ok');
  const inFront = new Set(front.map((r) => r.key));
  const undominated = (r: PointResult): boolean => !ok.some((o) => dominates(vec(o, objectives), vec(r, objectives)));
  return (
    front.every((r) => r.status === 'ok' && undominated(r)) && ok.every((r) => inFront.has(r.key) || !undominated(r))
  );
}

/** Broken on purpose: keeps the fastest points only, forgetting memory. */
function brokenFront(rows: PointResult[]): PointResult[] {
  const best = Math.max(...rows.filter((r) => r.status === 'ok').map((r) => r.iterationsPerSecond!));
  return rows.filter((r) => r.status === 'ok' && r.iterationsPerSecond === best);
}

const rowsArb = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.boolean()), {
    minLength: 1,
    maxLength: 40,
  })
  .map((ts) => ts.map(([ips, mem, ok], i) => row(i, ips, mem, undefined, ok ? 'ok' : 'infeasible')));

describe('Pareto front', () => {
  test('a small case by hand', () => {
    const rows = [
      row(0, 10, 100),
      row(1, 5, 50),
      row(2, 4, 60),
      row(3, 10, 100),
      row(4, 99, 1, undefined, 'infeasible'),
      row(5, 1, 10),
    ];
    expect(paretoFront(rows).map((r) => r.key)).toEqual(['k0', 'k1', 'k3', 'k5']);
  });

  fcTest.prop([rowsArb])('matches the definition (iterations/s vs peak memory)', (rows) => {
    expect(isParetoFront(rows, paretoFront(rows), [throughputObjective, memoryObjective])).toBe(true);
  });

  test('the check catches a broken front', () => {
    const rows = [row(0, 10, 100), row(1, 5, 50), row(2, 1, 10)];
    expect(isParetoFront(rows, brokenFront(rows), [throughputObjective, memoryObjective])).toBe(false);
  });

  test('energy is an objective only when every ok point has it', () => {
    expect(objectivesFor([row(0, 1, 1, 5), row(1, 1, 1)]).map((o) => o.name)).toEqual([
      'iterationsPerSecond',
      'peakMemoryBytes',
    ]);
    const withEnergy = [row(0, 10, 100, 5), row(1, 10, 100, 1), row(2, 1, 1000, 0.5)];
    expect(objectivesFor(withEnergy).map((o) => o.name)).toContain('energyJoulesPerIteration');
    expect(paretoFront(withEnergy).map((r) => r.key)).toEqual(['k1', 'k2']);
  });
});

// npm run bench:sweep: sweep points evaluated per second (real compile + simulate of ResNet-9 ALR
// variants) on 1 and on 2 local worker threads, and the speedup. Thread start-up (tsx, mathjs) is
// measured apart: each pool first evaluates one point per thread, then the timed points.
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { expand } from '../src/sweep/expand.js';
import { LocalPool } from '../src/sweep/local-pool.js';
import { readSweepSpec } from '../src/sweep/spec.js';
import type { SweepPoint } from '../src/sweep/types.js';

const specPath = resolve(import.meta.dirname, '../test/fixtures/sweep-resnet9-alr.json');
const checked = readSweepSpec(specPath);
if (!checked.ok) throw new Error(checked.problems.join('\n'));
const points = expand(checked.spec);
const timedCount = Number(process.env.SWEEP_BENCH_POINTS ?? 48);

async function measure(
  workers: number,
  timed: SweepPoint[],
): Promise<{ startupS: number; seconds: number; pointsPerSecond: number }> {
  const pool = new LocalPool({ workers });
  try {
    const t0 = performance.now();
    await Promise.all(points.slice(0, workers).map((p) => pool.evaluate(p)));
    const t1 = performance.now();
    const results = await Promise.all(timed.map((p) => pool.evaluate(p)));
    const seconds = (performance.now() - t1) / 1000;
    const failed = results.filter((r) => r.status === 'error');
    if (failed.length > 0) throw new Error(`bench points failed: ${failed[0]!.reason}`);
    return { startupS: (t1 - t0) / 1000, seconds, pointsPerSecond: timed.length / seconds };
  } finally {
    await pool.destroy();
  }
}

const timed = points.slice(0, timedCount);
process.stdout.write(
  `sweep bench: ${timed.length} points of ${specPath.split('/').at(-1)} (ResNet-9 ALR, layer-pipelined), ${availableParallelism()} cores\n`,
);
const one = await measure(1, timed);
const two = await measure(2, timed);
for (const [workers, m] of [
  [1, one],
  [2, two],
] as const) {
  process.stdout.write(
    `  ${workers} worker${workers > 1 ? 's' : ' '}: ${m.pointsPerSecond.toFixed(2)} points/s (${m.seconds.toFixed(2)} s, thread start-up ${m.startupS.toFixed(2)} s)\n`,
  );
}
process.stdout.write(`  speedup 2 vs 1 workers: ${(two.pointsPerSecond / one.pointsPerSecond).toFixed(2)}x\n`);

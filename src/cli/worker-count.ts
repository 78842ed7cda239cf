// --workers of sweep and worker: more threads than cores only add memory and contention (1000 on
// 2 cores once started 1,095 threads and 8 GB), so a larger count is capped at the core count with
// a warning on stderr.
import { availableParallelism } from 'node:os';
import { notice } from './output.js';

export function cappedWorkers(requested: number, cores = availableParallelism()): number {
  if (requested <= cores) return requested;
  notice(`alrflow: warning: --workers ${requested} is more than the ${cores} cores here; using ${cores}\n`);
  return cores;
}

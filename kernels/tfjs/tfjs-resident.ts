// The tfjs-wasm resident table as the registry opens it: the resident kernels (tfjs-table.ts's
// tfjsResidentTable, results kept in TF.js), except that a call the worker pool would split over
// cores (tfjs-split.ts's wouldSplit, the same test the split applies) gets its handles downloaded
// and runs on the pooled host table: two cores beat one in-thread TF.js call even after the copy,
// and no call is downloaded only to run unsplit. That holds for the matmul family; a conv2d stays
// resident: resnet5's BP step (N = 32, 2 threads) took 186-191 ms of CPU and 573-648 ms of wall per
// step with its forward convolutions split (downloaded, their output uploaded again, the weights
// transposed per worker) and 127-138 ms and 359-468 ms without (three alternating pairs, loaded
// machine); on main at 9a3dd77 its 2-thread step was slower than its 1-thread step on a quiet machine
// too (433 against 406 ms). Not a kernel.
import { downloadArgs, type ResidentArgs, type ResidentTable } from '../device-tensor.js';
import type { KernelArgs, KernelName, KernelOutputs } from '../names.js';
import type { PooledTable } from './tfjs-split.js';

/** `resident`, with calls the pool would split sent to `pooled` (host arrays in and out) when it has threads to split over. */
export function residentUnlessSplit(
  resident: ResidentTable,
  pooled: Pick<PooledTable, 'table' | 'threads' | 'wouldSplit'>,
): ResidentTable {
  if (pooled.threads < 2) return resident;
  const entry =
    <K extends KernelName>(name: K, own: (a: ResidentArgs<K>) => Promise<unknown>) =>
    async (args: ResidentArgs<K>): Promise<unknown> => {
      if (name === 'conv2d' || !pooled.wouldSplit(name, args)) return own(args);
      const host = pooled.table[name] as (a: KernelArgs[K]) => Promise<KernelOutputs[K]>;
      return host((await downloadArgs(args)) as KernelArgs[K]);
    };
  return Object.fromEntries(
    Object.entries(resident).map(([name, own]) => [
      name,
      entry(name as KernelName, own as (a: object) => Promise<unknown>),
    ]),
  ) as ResidentTable;
}

// The tfjs-wasm resident table as the registry opens it: the resident kernels (tfjs-table.ts's
// tfjsResidentTable, results kept in TF.js) except for calls large enough that the worker pool
// splits them over cores (tfjs-split.ts's SPLIT_POLICY): those get their handles downloaded and run
// on the pooled host table, because two cores beat one in-thread TF.js call even after the copy.
// Not a kernel.
import { downloadArgs, type ResidentArgs, type ResidentTable } from '../device-tensor.js';
import type { KernelArgs, KernelName, KernelOutputs, KernelTable } from '../names.js';
import { convDims } from '../reference/conv-dims.js';
import { SPLIT_POLICY } from './tfjs-split.js';

/** FLOP of the kernels the pool splits (the same counts tfjs-split.ts compares with minFlop). */
function splitFlop(name: KernelName, args: object): number | null {
  switch (name) {
    case 'matmul':
    case 'matmul-at-b':
    case 'matmul-a-bt': {
      const { m, k, n } = args as KernelArgs['matmul'];
      return 2 * m * k * n;
    }
    case 'lr-grad-product': {
      const { rows, outs, ins } = args as KernelArgs['lr-grad-product'];
      return 2 * rows * outs * ins;
    }
    case 'conv2d': {
      const { dims: d } = args as KernelArgs['conv2d'];
      const { outHeight, outWidth } = convDims('conv2d', d);
      return 2 * d.batch * d.outChannels * outHeight * outWidth * d.inChannels * d.kernelSize ** 2;
    }
    default:
      return null;
  }
}

/** `resident`, with calls the pool would split sent to `pooled` (host arrays in and out) when it has threads to split over. */
export function residentUnlessSplit(resident: ResidentTable, pooled: { table: KernelTable; threads: number }): ResidentTable {
  if (pooled.threads < 2) return resident;
  const entry = <K extends KernelName>(name: K, own: (a: ResidentArgs<K>) => Promise<unknown>) =>
    async (args: ResidentArgs<K>): Promise<unknown> => {
      const flop = splitFlop(name, args);
      if (flop === null || flop < SPLIT_POLICY.minFlop) return own(args);
      const host = pooled.table[name] as (a: KernelArgs[K]) => Promise<KernelOutputs[K]>;
      return host((await downloadArgs(args)) as KernelArgs[K]);
    };
  return Object.fromEntries(Object.entries(resident).map(([name, own]) => [name, entry(name as KernelName, own as (a: object) => Promise<unknown>)])) as ResidentTable;
}

// Opens the kernel backend for a --backend choice (through the kernel registry, which resolves
// 'auto' by a probe) and wraps it as a kernel table that records which backend actually ran each
// kernel: the report names that backend, never the one merely asked for.
import type { KernelArgs, KernelName, KernelOutputs, KernelTable } from '../../../kernels/names.js';
import { KERNEL_NAMES } from '../../../kernels/names.js';
import { openBackend, type KernelRunner } from '../../../kernels/registry.js';

export interface ResolvedKernels {
  kernels: KernelTable;
  /** The backend that ran the kernels so far ('a+b' if gpu.js degraded some calls), never 'auto'. */
  readonly backend: string;
  dispose(): Promise<void>;
}

function recordingTable(runner: KernelRunner, ran: Set<string>): KernelTable {
  const entry = <K extends KernelName>(name: K) =>
    async (args: KernelArgs[K]): Promise<KernelOutputs[K]> => {
      const result = await runner.run(name, args);
      ran.add(result.backend);
      return result.out;
    };
  return Object.fromEntries(KERNEL_NAMES.map((name) => [name, entry(name)])) as KernelTable;
}

export async function resolveKernels(choice: string): Promise<ResolvedKernels> {
  const runner = await openBackend(choice);
  const ran = new Set<string>();
  return {
    kernels: recordingTable(runner, ran),
    get backend() {
      return ran.size === 0 ? runner.backend : [...ran].sort().join('+');
    },
    dispose: () => runner.dispose(),
  };
}

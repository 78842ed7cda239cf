// Picks the kernel table for a --backend choice and reports which backend actually runs. The
// float64 reference table is always present; the device backends come from the kernel registry.
import type { KernelTable } from '../../../kernels/names.js';
import { referenceTable } from '../../../kernels/registry-reference.js';
import { UnsupportedKernelError } from '../../errors.js';

export interface ResolvedKernels {
  kernels: KernelTable;
  /** The backend that runs, never 'auto'. */
  backend: string;
}

interface RegistryModule {
  resolveKernelTable?: (choice: string) => Promise<ResolvedKernels>;
}

export async function resolveKernels(choice: string): Promise<ResolvedKernels> {
  if (choice === 'reference') return { kernels: referenceTable, backend: 'reference' };
  // The registry is loaded lazily: compiling gpu.js / TF.js kernels costs seconds.
  const registryPath = '../../../kernels/registry.js';
  const registry = (await import(registryPath).catch(() => ({}))) as RegistryModule;
  if (!registry.resolveKernelTable) {
    throw new UnsupportedKernelError(`--backend ${choice}: the kernel registry (kernels/registry.ts) offers no resolveKernelTable here; allowed now: reference`);
  }
  return registry.resolveKernelTable(choice);
}

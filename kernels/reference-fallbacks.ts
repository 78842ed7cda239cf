// Which kernels each backend runs with the float64 reference code instead of its own version (the
// registry stamps those calls `reference`). Static: `backends --json` lists it for every backend,
// working here or not. gpu.js (every mode, in Node or in the browser) has none.
import type { BackendName, KernelName } from './names.js';
import { tfjsFallback } from './tfjs/tfjs-graph-ops.js';

/** gpu.js kernels that run the reference: none (a call over the texture size runs as tiles instead). */
export const GPUJS_REFERENCE_KERNELS: ReadonlySet<KernelName> = new Set<KernelName>();

/** The kernels `backend` runs with the float64 reference code, in kernel-list order. */
export function referenceFallbacks(backend: BackendName): KernelName[] {
  switch (backend) {
    case 'reference':
      return [];
    case 'tfjs-wasm':
      return [...tfjsFallback.names];
    case 'webasm':
    case 'cpu':
    case 'headlessgl':
    case 'webgpu':
    case 'webgl2':
    case 'browser-webgpu':
    case 'browser-webgl2':
      return [...GPUJS_REFERENCE_KERNELS];
    default:
      return backend satisfies never;
  }
}

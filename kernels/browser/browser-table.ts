// The browser backends' kernel tables over one BrowserDevice: every registry kernel gpu.js has runs
// in the page (host arrays in and out), the ones gpu.js runs in pipeline mode also run resident
// (handles in and out, the tensors staying in the page); none runs the float64 reference.
// Records which mode ran each call, so the registry can stamp degraded calls. Not the device.
import type { ResidentTable } from '../device-tensor.js';
import { GPUJS_RESIDENT_KERNELS } from '../gpujs/gpujs-table.js';
import { KERNEL_NAMES, type KernelName, type KernelTable } from '../names.js';
import type { BrowserDevice } from './browser-device.js';

export interface BrowserTables {
  table: KernelTable;
  resident: ResidentTable;
  /** The backends that ran the calls since the last take (page modes mapped to backend names). */
  takeRan(): string[];
}

const backendOfMode = (mode: string): string => (mode === 'webgpu' || mode === 'webgl2' ? `browser-${mode}` : mode);

export function browserTables(device: BrowserDevice): BrowserTables {
  let ran: string[] = [];
  const call =
    (name: KernelName, resident: boolean) =>
    async (args: object): Promise<never> => {
      const r = await device.run(name, args, resident);
      ran.push(...r.ran.map(backendOfMode));
      return r.out as never;
    };
  const table = Object.fromEntries(KERNEL_NAMES.map((n) => [n, call(n, false)])) as unknown as KernelTable;
  const resident = Object.fromEntries(GPUJS_RESIDENT_KERNELS.map((n) => [n, call(n, true)])) as ResidentTable;
  return {
    table,
    resident,
    takeRan() {
      const out = [...new Set(ran)];
      ran = [];
      return out;
    },
  };
}

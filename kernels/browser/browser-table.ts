// The browser backends' kernel tables over one BrowserDevice: every registry kernel gpu.js has runs
// in the page (host arrays in and out), the ones gpu.js runs in pipeline mode also run resident
// (handles in and out, the tensors staying in the page), and the conv-net kernels without a gpu.js
// version run the float64 reference here in Node, stamped `reference` as on every gpu.js backend.
// Records which mode ran each call, so the registry can stamp degraded calls. Not the device.
import type { ResidentTable } from '../device-tensor.js';
import { GPUJS_RESIDENT_KERNELS, gpujsFallback } from '../gpujs/gpujs-table.js';
import { KERNEL_NAMES, type KernelName, type KernelTable } from '../names.js';
import type { BrowserDevice } from './browser-device.js';

export interface BrowserTables {
  table: KernelTable;
  resident: ResidentTable;
  /** The backends that ran the calls since the last take (page modes mapped to backend names), and why any fell back. */
  takeRan(): { ran: string[]; fallbackReasons: string[] };
}

const backendOfMode = (mode: string): string => (mode === 'webgpu' || mode === 'webgl2' ? `browser-${mode}` : mode);

export function browserTables(device: BrowserDevice): BrowserTables {
  let ran: string[] = [];
  let reasons: string[] = [];
  const call = (name: KernelName, resident: boolean) => async (args: object): Promise<never> => {
    const r = await device.run(name, args, resident);
    ran.push(...r.ran.map(backendOfMode));
    reasons.push(...r.fallbackReasons);
    return r.out as never;
  };
  const inPage = KERNEL_NAMES.filter((n) => !gpujsFallback.names.has(n));
  const table = { ...gpujsFallback.table, ...Object.fromEntries(inPage.map((n) => [n, call(n, false)])) } as KernelTable;
  const resident = Object.fromEntries(GPUJS_RESIDENT_KERNELS.map((n) => [n, call(n, true)])) as ResidentTable;
  return {
    table,
    resident,
    takeRan() {
      const out = { ran: [...new Set(ran)], fallbackReasons: [...new Set(reasons)] };
      ran = [];
      reasons = [];
      return out;
    },
  };
}

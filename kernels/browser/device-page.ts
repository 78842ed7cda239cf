// The browser side of the browser-webgpu / browser-webgl2 backends, bundled into the page that
// headless Chromium keeps open for a whole run (the page is the device server): gpu.js in one mode
// runs the registry's gpu.js kernels, results that stay on the GPU are kept here in a handle table
// and Node holds only their ids (browser-device.ts). Wire format: typed arrays travel
// as base64 (wire-arrays.ts), a handle travels as { $handle: id, length }. Not a Node module.
import { DeviceTensor, handlesIn, isDeviceTensor } from '../device-tensor.js';
import { GpujsContext } from '../gpujs/gpujs-context.js';
import { gpujsResidentTable, gpujsTable } from '../gpujs/gpujs-table.js';
import { decodeArray, encodeArray, mapFields, type WireArray } from './wire-arrays.js';

export interface WireHandle {
  $handle: number;
  length: number;
}

export interface WireResult {
  out: unknown;
  /** gpu.js modes that ran the call. */
  ran: string[];
  /** Time inside the page, kernels included; the rest of Node's round trip is transfer and serialisation. */
  pageMs: number;
}

export interface DeviceServer {
  open(mode: 'webgpu' | 'webgl2'): Promise<string>;
  run(name: string, args: Record<string, unknown>, resident: boolean): Promise<WireResult>;
  download(id: number): Promise<WireArray>;
  free(ids: number[]): void;
  echo(values: WireArray): WireArray;
  live(): number;
}

let ctx: GpujsContext | undefined;
let host: Record<string, (a: unknown) => Promise<unknown>> = {};
let resident: Record<string, (a: unknown) => Promise<unknown>> = {};
const handles = new Map<number, DeviceTensor>();
let nextId = 1;

const isWireHandle = (v: unknown): v is WireHandle => typeof v === 'object' && v !== null && '$handle' in v;

function unwire(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([k, wired]) => {
      const v = decodeArray(wired);
      if (!isWireHandle(v)) return [k, v];
      const t = handles.get(v.$handle);
      if (!t) throw new Error(`device page: no live handle ${v.$handle} (freed, or from another page)`);
      return [k, t];
    }),
  );
}

function wire(v: unknown): unknown {
  if (!isDeviceTensor(v)) return v;
  const id = nextId++;
  handles.set(id, v);
  return { $handle: id, length: v.length } satisfies WireHandle;
}

function wireOut(out: unknown): unknown {
  if (isDeviceTensor(out)) return wire(out);
  if (handlesIn(out).length === 0) return out;
  return Object.fromEntries(Object.entries(out as object).map(([k, v]) => [k, wire(v)]));
}

/** The browser globals this page reads (Node's type libraries have no DOM). */
interface GlLike {
  RENDERER: number;
  getParameter(p: number): unknown;
  getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number } | null;
}
interface PageGlobals {
  document: { createElement(tag: 'canvas'): { getContext(kind: 'webgl2'): GlLike | null } };
  navigator: {
    gpu?: {
      requestAdapter(): Promise<{ info?: Record<'vendor' | 'architecture' | 'device' | 'description', string> } | null>;
    };
  };
}
const page = globalThis as unknown as PageGlobals;

/** What renders: the WebGL2 renderer string, or the WebGPU adapter's info. */
async function adapterName(mode: 'webgpu' | 'webgl2'): Promise<string> {
  if (mode === 'webgl2') {
    const gl = page.document.createElement('canvas').getContext('webgl2');
    if (!gl) return 'no WebGL2 context';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  }
  const adapter = await page.navigator.gpu?.requestAdapter();
  if (!adapter) return 'no WebGPU adapter';
  const i = adapter.info;
  return i ? [i.vendor, i.architecture, i.device, i.description].filter((p) => p).join(' / ') : 'WebGPU adapter';
}

const server: DeviceServer = {
  async open(mode) {
    ctx = new GpujsContext(mode);
    host = gpujsTable(ctx) as typeof host;
    resident = gpujsResidentTable(ctx) as typeof resident;
    return adapterName(mode);
  },
  async run(name, args, wantResident) {
    if (!ctx) throw new Error('device page: open() was not called');
    const t0 = performance.now();
    const impl = (wantResident ? resident[name] : undefined) ?? host[name];
    if (!impl) throw new Error(`device page: no gpu.js kernel "${name}"`);
    const out = mapFields(wireOut(await impl(unwire(args))), encodeArray);
    return { out, ran: ctx.takeRanModes(), pageMs: performance.now() - t0 };
  },
  async download(id) {
    const t = handles.get(id);
    if (!t) throw new Error(`device page: no live handle ${id}`);
    return encodeArray(await t.download()) as WireArray;
  },
  free(ids) {
    for (const id of ids) {
      handles.get(id)?.dispose();
      handles.delete(id);
    }
  },
  echo: (values) => encodeArray(decodeArray(values)) as WireArray,
  live: () => handles.size,
};

(globalThis as unknown as { alrflowDevice: DeviceServer }).alrflowDevice = server;

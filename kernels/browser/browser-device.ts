// The Node side of the browser-webgpu / browser-webgl2 backends: one headless Chromium (Debian's
// /usr/bin/chromium through playwright-core) holding one page that stays open as the device server
// (device-page.ts) for the device's whole life. Kernel calls are page.evaluate round trips; float
// results the page keeps on the GPU come back as DeviceTensors whose native value is the page's
// handle id, so tensors stay in the page between kernels. It counts the bytes and time each round
// trip spends outside the page (the transfer cost). Not a kernel table (browser-table.ts).
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { packagePath } from '../../src/package-root.js';
import type { BrowserBackend } from '../names.js';
import { DeviceTensor, type DeviceStorage, isDeviceTensor } from '../device-tensor.js';
import type { DeviceServer, WireHandle } from './device-page.js';
import { servePage, type ServedPage } from './page-server.js';
import { decodeArray, encodeArray, mapFields, type WireArray } from './wire-arrays.js';

/** The Chromium binary: ALRFLOW_CHROMIUM, else Debian's. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['ALRFLOW_CHROMIUM'] || '/usr/bin/chromium';
}

/**
 * Flags that work here (ECOSYSTEM.md 3, env/machines/node.md): root needs --no-sandbox, the closed
 * network needs the background-networking ones, WebGPU needs --enable-unsafe-webgpu. Extra flags
 * (e.g. "--use-angle=vulkan --enable-features=Vulkan" on a GPU machine) come from ALRFLOW_CHROMIUM_ARGS.
 */
export function chromiumFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const base = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--enable-unsafe-webgpu',
  ];
  return [...base, ...(env['ALRFLOW_CHROMIUM_ARGS'] ?? '').split(/\s+/).filter((f) => f.length > 0)];
}

export interface TransferStats {
  calls: number;
  bytesToPage: number;
  bytesFromPage: number;
  /** Round-trip time minus the time spent inside the page: serialisation and the Node <-> page channel. */
  transferMs: number;
  pageMs: number;
}

type Wired = Record<string, unknown>;

/** Bytes of the host arrays in a kernel's arguments or results (handles stay in the page: 0). */
const bytesOf = (v: unknown): number => {
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (isDeviceTensor(v) || v === null || typeof v !== 'object') return 0;
  return Object.values(v).reduce((s: number, x) => s + bytesOf(x), 0);
};

export class BrowserDevice {
  private pendingFree: number[] = [];
  private readonly totals: TransferStats = { calls: 0, bytesToPage: 0, bytesFromPage: 0, transferMs: 0, pageMs: 0 };

  private constructor(
    readonly backend: BrowserBackend,
    /** The WebGL2 renderer or WebGPU adapter the page reported, and the browser version. */
    readonly adapter: string,
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly served: ServedPage,
  ) {}

  /** Launches Chromium, loads the device page and opens gpu.js in the backend's mode. */
  static async open(backend: BrowserBackend): Promise<BrowserDevice> {
    const exe = chromiumPath();
    if (!existsSync(exe))
      throw new Error(`no Chromium at ${exe} (hint: apt-get install -y chromium, or set ALRFLOW_CHROMIUM)`);
    const { chromium } = await import('playwright-core');
    const served = await servePage(packagePath('kernels', 'browser', 'device-page.ts'), 'alrflow device');
    const browser = await chromium
      .launch({ executablePath: exe, headless: true, args: chromiumFlags() })
      .catch(async (err: unknown) => {
        await served.close();
        throw err;
      });
    try {
      const page = await browser.newPage();
      await page.goto(served.url);
      const mode = backend === 'browser-webgpu' ? ('webgpu' as const) : ('webgl2' as const);
      const adapter = await page.evaluate(
        (m) => (globalThis as unknown as { alrflowDevice: DeviceServer }).alrflowDevice.open(m),
        mode,
      );
      return new BrowserDevice(backend, `${adapter}; Chromium ${browser.version()}`, browser, page, served);
    } catch (err) {
      await browser.close();
      await served.close();
      throw err;
    }
  }

  /** Runs one gpu.js kernel in the page; handles in `args` are this device's DeviceTensors. */
  async run(name: string, args: object, resident: boolean): Promise<{ out: unknown; ran: string[] }> {
    // A noise kernel's `reuse` arrays are for host kernels (names.ts): they stay on this side.
    const wired: Wired = Object.fromEntries(
      Object.entries(args)
        .filter(([k]) => k !== 'reuse')
        .map(([k, v]) => [k, isDeviceTensor(v) ? this.wireHandle(v) : encodeArray(v)]),
    );
    const free = this.takeFree();
    const t0 = performance.now();
    const r = await this.page.evaluate(
      ([n, a, res, f]) => {
        const device = (globalThis as unknown as { alrflowDevice: DeviceServer }).alrflowDevice;
        device.free(f);
        return device.run(n, a, res);
      },
      [name, wired, resident, free] as const,
    );
    const out = mapFields(r.out, decodeArray);
    this.count(performance.now() - t0, r.pageMs, bytesOf(args), bytesOf(out));
    return { out: this.unwireOut(out), ran: r.ran };
  }

  /** Round trip of `floats` float32 values to the page and back: the channel's cost alone, in ms. */
  async echoMs(floats: number): Promise<number> {
    const values = new Float32Array(floats).map((_, i) => i);
    const t0 = performance.now();
    const wired = encodeArray(values) as WireArray;
    const back = decodeArray(
      await this.page.evaluate(
        (v) => (globalThis as unknown as { alrflowDevice: DeviceServer }).alrflowDevice.echo(v),
        wired,
      ),
    ) as Float32Array;
    const ms = performance.now() - t0;
    if (back.length !== floats || back[floats - 1] !== floats - 1)
      throw new Error(`device page echoed ${back.length} floats; expected ${floats}`);
    return ms;
  }

  /** Handles alive in the page (freed ones are sent with the next call). */
  async liveHandles(): Promise<number> {
    const free = this.takeFree();
    return this.page.evaluate((f) => {
      const device = (globalThis as unknown as { alrflowDevice: DeviceServer }).alrflowDevice;
      device.free(f);
      return device.live();
    }, free);
  }

  stats(): TransferStats {
    return { ...this.totals };
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.served.close();
  }

  private count(roundTripMs: number, pageMs: number, up: number, down: number): void {
    this.totals.calls++;
    this.totals.bytesToPage += up;
    this.totals.bytesFromPage += down;
    this.totals.pageMs += pageMs;
    this.totals.transferMs += Math.max(0, roundTripMs - pageMs);
  }

  private takeFree(): number[] {
    const ids = this.pendingFree;
    this.pendingFree = [];
    return ids;
  }

  private wireHandle(t: DeviceTensor): WireHandle {
    if (t.backend !== this.backend)
      throw new Error(`a ${t.backend} device tensor passed to the ${this.backend} device`);
    return { $handle: (t.native as { id: number }).id, length: t.length };
  }

  private readonly storage: DeviceStorage<{ id: number }> = {
    read: async ({ id }) => {
      const t0 = performance.now();
      const values = decodeArray(
        await this.page.evaluate(
          (i) => (globalThis as unknown as { alrflowDevice: DeviceServer }).alrflowDevice.download(i),
          id,
        ),
      ) as Float32Array;
      this.count(performance.now() - t0, 0, 0, values.byteLength);
      return values;
    },
    release: ({ id }) => void this.pendingFree.push(id),
  };

  private unwireOut(out: unknown): unknown {
    const one = (v: unknown): unknown =>
      isWire(v) ? new DeviceTensor(this.backend, v.length, { id: v.$handle }, this.storage) : v;
    if (isWire(out)) return one(out);
    if (out && typeof out === 'object' && !ArrayBuffer.isView(out))
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, one(v)]));
    return out;
  }
}

const isWire = (v: unknown): v is WireHandle =>
  typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && '$handle' in v;

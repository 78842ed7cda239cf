// The kernel registry: maps (kernel, backend) to an implementation, checks arguments once for every
// backend, resolves `auto` to the fastest backend that works here by a short matmul probe, and
// stamps every result with the backend that actually ran (a gpu.js kernel that silently degraded
// to gpu.js's cpu backend reports "cpu", never the mode that was asked for). Kernels also run
// resident (runResident): float arguments may be device handles (device-tensor.ts) and results stay
// on the device where the backend has a resident version of the kernel; elsewhere the registry
// downloads the handles first and the result is a host array.
import { ConfigError, UnsupportedKernelError } from '../src/errors.js';
import {
  type BackendChoice,
  type BackendName,
  BACKEND_NAMES,
  detectBackend,
  isGpujsBackend,
  parseBackendChoice,
} from './backends.js';
import type { TransferStats } from './browser/browser-device.js';
import type { DeviceOps } from './device-ops.js';
import type { DeviceTransfers } from './device-transfers.js';
import { isBrowserBackend } from './names.js';
import { downloadArgs, type ResidentArgs, type ResidentOutputs, type ResidentTable } from './device-tensor.js';
import type { KernelArgs, KernelName, KernelOutputs, KernelTable } from './names.js';
import { registryChecks } from './registry-checks.js';
import { referenceTable } from './registry-reference.js';

export interface KernelResult<K extends KernelName> {
  out: KernelOutputs[K];
  /** The backend that executed the kernel (may differ from the one asked for only by degradation). */
  backend: BackendName;
  /** The engine behind it, e.g. "gpu.js WebAssemblyKernel". */
  engine: string;
}

/** A result of a kernel run resident: float outputs may be device handles the caller must dispose. */
export interface ResidentResult<K extends KernelName> {
  out: ResidentOutputs<K>;
  backend: BackendName;
  engine: string;
}

export interface KernelRunner {
  readonly backend: BackendName;
  readonly engine: string;
  /** Whether some kernels of this backend keep their results on the device (runResident returns handles). */
  readonly resident: boolean;
  run<K extends KernelName>(name: K, args: KernelArgs[K]): Promise<KernelResult<K>>;
  /**
   * Runs a kernel whose float arguments may be handles. Shapes are checked for every argument;
   * finiteness and value ranges only for host arrays (a handle's values were produced on the device
   * by a checked kernel). Handles reaching a kernel with no resident version here are downloaded.
   */
  runResident<K extends KernelName>(name: K, args: ResidentArgs<K>): Promise<ResidentResult<K>>;
  /** Bytes and time spent moving arrays between Node and the device, where that is a separate process (browser-*). */
  transfer?: () => TransferStats;
  /** Host <-> device uploads and downloads so far, where the backend's device memory is apart from the host (gpu.js GPU modes). */
  deviceTransfers?: () => DeviceTransfers;
  /** What a step needs to keep its state on the device (gpu.js GPU modes); absent elsewhere. */
  deviceOps?: DeviceOps;
  dispose(): Promise<void>;
}

export interface ProbeResult {
  backend: BackendName;
  /** Matmul GFLOP/s on the probe shape (median of the timed calls), null when it failed. */
  gflops: number | null;
  reason: string | null;
}

export interface AutoChoice {
  backend: BackendName;
  probes: ProbeResult[];
}

/** Opens a backend by name ('auto' probes); an unknown name is a ConfigError listing the valid ones. */
export async function openBackend(choice: string): Promise<KernelRunner> {
  const parsed: BackendChoice = parseBackendChoice(choice);
  const backend = parsed === 'auto' ? (await chooseAuto()).backend : parsed;
  const status = await detectBackend(backend);
  if (!status.works) {
    throw new UnsupportedKernelError(
      `backend "${backend}" cannot run on this machine: ${status.reason}. Hint: use --backend auto, or run "alrflow backends"`,
    );
  }
  return createRunner(backend, status.engine);
}

/**
 * TF.js wasm: big host calls split over worker threads, the rest resident in TF.js; convolutions and
 * matrix products on onnxruntime's MLAS where it loads, threaded by it instead of split (tfjs-table.ts's default).
 */
async function tfjsRunner(engine: string): Promise<KernelRunner> {
  const { loadTfjs } = await import('./tfjs/tfjs-runtime.js');
  const { tfjsTable, tfjsResidentTable } = await import('./tfjs/tfjs-table.js');
  const { tfjsFallback } = await import('./tfjs/tfjs-graph-ops.js');
  const tf = await loadTfjs();
  // Host calls above a size threshold run split over worker threads (one TF.js per core); dispose ends them.
  const { defaultPooledTable } = await import('./tfjs/tfjs-split.js');
  const pooled = defaultPooledTable(tf, tfjsTable(tf));
  const { residentUnlessSplit } = await import('./tfjs/tfjs-resident.js');
  const { tfjsDeviceOps } = await import('./tfjs/tfjs-device-ops.js');
  return tableRunner({
    backend: 'tfjs-wasm',
    engine,
    table: pooled.table,
    resident: residentUnlessSplit(tfjsResidentTable(tf), pooled),
    dispose: pooled.dispose,
    degraded: () => null,
    referenceKernels: tfjsFallback.names,
    deviceOps: tfjsDeviceOps(tf),
  });
}

async function createRunner(backend: BackendName, engine: string): Promise<KernelRunner> {
  if (backend === 'reference')
    return tableRunner({
      backend,
      engine,
      table: referenceTable,
      dispose: async () => undefined,
      degraded: () => null,
    });
  if (backend === 'tfjs-wasm') return tfjsRunner(engine);
  if (isGpujsBackend(backend)) {
    const { GpujsContext } = await import('./gpujs/gpujs-context.js');
    const { gpujsTable, gpujsResidentTable } = await import('./gpujs/gpujs-table.js');
    const { gpujsDeviceOps } = await import('./gpujs/gpujs-device-ops.js');
    const ctx = new GpujsContext(backend);
    const degraded = (): Degradation | null => degradedMode(backend, ctx.takeRanModes());
    return tableRunner({
      backend,
      engine,
      table: gpujsTable(ctx),
      resident: gpujsResidentTable(ctx),
      dispose: () => ctx.destroy(),
      degraded,
      ...(ctx.transfers ? { deviceTransfers: () => ctx.transfers!.snapshot(), deviceOps: gpujsDeviceOps(ctx) } : {}),
    });
  }
  if (isBrowserBackend(backend)) {
    const { BrowserDevice } = await import('./browser/browser-device.js');
    const { browserTables } = await import('./browser/browser-table.js');
    const device = await BrowserDevice.open(backend);
    const tables = browserTables(device);
    const degraded = (): Degradation | null => degradedMode(backend, tables.takeRan());
    return tableRunner({
      backend,
      engine,
      table: tables.table,
      resident: tables.resident,
      dispose: () => device.close(),
      degraded,
      transfer: () => device.stats(),
    });
  }
  return backend satisfies never;
}

/** A call that did not run (wholly) on the backend asked for: what ran, and why. */
interface Degradation {
  backend: BackendName;
  why: string;
}

/** What ran when a call's kernels executed in another gpu.js mode, else null. */
function degradedMode(asked: BackendName, ran: string[]): Degradation | null {
  const other = ran.find((m) => m !== asked);
  if (other === undefined) return null;
  const backend = (BACKEND_NAMES as readonly string[]).includes(other) ? (other as BackendName) : 'cpu';
  return { backend, why: `degraded by gpu.js to ${backend}` };
}

interface TableParts {
  backend: BackendName;
  engine: string;
  table: KernelTable;
  /** The kernels this backend runs on handles; absent or empty on host backends. */
  resident?: ResidentTable;
  dispose: () => Promise<void>;
  degraded: () => Degradation | null;
  /** Kernels this table runs with the float64 reference code: their results are stamped `reference`. */
  referenceKernels?: ReadonlySet<KernelName>;
  transfer?: () => TransferStats;
  deviceTransfers?: () => DeviceTransfers;
  deviceOps?: DeviceOps;
}

function tableRunner(parts: TableParts): KernelRunner {
  const {
    backend,
    engine,
    table,
    resident = {},
    dispose,
    degraded,
    referenceKernels = new Set<KernelName>(),
    transfer,
    deviceTransfers,
    deviceOps,
  } = parts;
  const stamp = <O>(name: KernelName, out: O): { out: O; backend: BackendName; engine: string } => {
    if (referenceKernels.has(name))
      return {
        out,
        backend: 'reference',
        engine: `float64 TypeScript (kernels/reference), no ${backend} version of ${name} yet`,
      };
    const ran = degraded();
    return ran === null ? { out, backend, engine } : { out, backend: ran.backend, engine: `${engine}, ${ran.why}` };
  };
  const run = async <K extends KernelName>(name: K, args: KernelArgs[K]): Promise<KernelResult<K>> => {
    const impl = table[name] as ((a: KernelArgs[K]) => Promise<KernelOutputs[K]>) | undefined;
    if (!impl) throw new UnsupportedKernelError(`kernel "${name}" is not implemented on backend "${backend}"`);
    const postCheck = registryChecks(name, args, backend);
    const out = await impl(args);
    postCheck?.(out);
    return stamp(name, out);
  };
  return {
    backend,
    engine,
    resident: Object.keys(resident).length > 0,
    run,
    async runResident<K extends KernelName>(name: K, args: ResidentArgs<K>): Promise<ResidentResult<K>> {
      const impl = resident[name] as ((a: ResidentArgs<K>) => Promise<ResidentOutputs<K>>) | undefined;
      // No resident version: the host implementation gets the handles' values (never a handle it would misread).
      if (!impl) return run(name, (await downloadArgs(args)) as KernelArgs[K]) as Promise<ResidentResult<K>>;
      // The checks read only lengths of handles (registry-checks.ts), so they take resident arguments as they are.
      registryChecks(name, args as unknown as KernelArgs[K]);
      return stamp(name, await impl(args));
    },
    ...(transfer ? { transfer } : {}),
    ...(deviceTransfers ? { deviceTransfers } : {}),
    ...(deviceOps ? { deviceOps } : {}),
    dispose,
  };
}

/** Probe shape: small enough to take well under a second on the slowest CPU backend. */
const PROBE_SIZE = 128;
/** Untimed calls first: TF.js wasm needs several calls before its time settles (measured: 23, 6.8, 1.6, 1.3, then ~0.7-1 ms). */
const PROBE_WARMUPS = 3;
const PROBE_TIMED = 7;
/** What the probe reports of its timed calls. */
export const PROBE_METHOD = `matmul ${PROBE_SIZE}^3, fastest of ${PROBE_TIMED} calls after ${PROBE_WARMUPS} warm-ups`;

/**
 * Times a PROBE_SIZE^3 matmul on one backend and keeps the fastest timed call: other processes on a
 * shared machine only ever add time, so the minimum is the estimate that load cannot flip (a median of
 * 3 picked gpu.js webasm over TF.js wasm on a loaded 2-core machine, a 20x slower choice).
 */
export async function probeBackend(backend: BackendName): Promise<ProbeResult> {
  const status = await detectBackend(backend);
  if (!status.works) return { backend, gflops: null, reason: status.reason };
  const runner = await createRunner(backend, status.engine);
  try {
    const n = PROBE_SIZE;
    const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const args = { a, b: a, m: n, k: n, n };
    for (let i = 0; i < PROBE_WARMUPS; i++) await runner.run('matmul', args);
    const times: number[] = [];
    for (let i = 0; i < PROBE_TIMED; i++) {
      const t0 = performance.now();
      const r = await runner.run('matmul', args);
      times.push(performance.now() - t0);
      if (r.backend !== backend) return { backend, gflops: null, reason: `gpu.js degraded the probe to ${r.backend}` };
    }
    const ms = Math.max(Math.min(...times), 1e-3);
    return { backend, gflops: (2 * n ** 3) / (ms * 1e6), reason: null };
  } catch (err) {
    return { backend, gflops: null, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    await runner.dispose();
  }
}

let autoChoice: Promise<AutoChoice> | undefined;

/**
 * The backends `auto` probes: every in-process one, GPU ones (headlessgl, webgpu) included; the
 * browser-* ones only with ALRFLOW_AUTO_BROWSER=on, since probing them launches Chromium twice.
 */
export function autoCandidates(env: NodeJS.ProcessEnv = process.env): BackendName[] {
  const v = env['ALRFLOW_AUTO_BROWSER'] ?? '';
  if (!['', 'on', 'off'].includes(v))
    throw new ConfigError([`environment ALRFLOW_AUTO_BROWSER = "${v}"; allowed: on, off, or unset (off)`]);
  return BACKEND_NAMES.filter((b) => !isBrowserBackend(b) || v === 'on');
}

/** The fastest working backend by the probe (computed once per process). */
export function chooseAuto(): Promise<AutoChoice> {
  autoChoice ??= (async () => {
    const probes: ProbeResult[] = [];
    for (const b of autoCandidates()) probes.push(await probeBackend(b));
    const best = probes.filter((p) => p.gflops !== null).sort((x, y) => y.gflops! - x.gflops!)[0];
    return { backend: best?.backend ?? 'reference', probes };
  })();
  return autoChoice;
}

// Opens the kernel backend for a --backend choice (through the kernel registry, which resolves
// 'auto' by a probe) and wraps it as two kernel tables that record which backend actually ran each
// kernel (the report names that backend, per kernel too, never the one merely asked for): `kernels` (host arrays in
// and out) and `device` (kernels run resident: handles stay on the device between kernels). Every
// handle `device` produces is tracked until releaseHandles() (the runtime calls it at each step's
// end). Residency is on by default; ALRFLOW_RESIDENT=off (or the resident option) turns it off, so
// `device` runs the host kernels and no handle exists (bench/resident.bench.ts compares both).
import {
  handlesIn,
  type DeviceTensor,
  type ResidentArgs,
  type ResidentOutputs,
} from '../../../kernels/device-tensor.js';
import type { KernelArgs, KernelName, KernelOutputs, KernelTable } from '../../../kernels/names.js';
import { KERNEL_NAMES } from '../../../kernels/names.js';
import type { TransferStats } from '../../../kernels/browser/browser-device.js';
import type { DeviceOps } from '../../../kernels/device-ops.js';
import type { DeviceTransfers } from '../../../kernels/device-transfers.js';
import { openBackend, type KernelRunner } from '../../../kernels/registry.js';
import { ConfigError } from '../../errors.js';

/** Every kernel, run resident: float arguments may be handles, results may be handles. */
export type DeviceKernels = { [K in KernelName]: (args: ResidentArgs<K>) => Promise<ResidentOutputs<K>> };

export interface ResolvedKernels {
  kernels: KernelTable;
  device: DeviceKernels;
  /** Whether `device` keeps results on the device (the backend has resident kernels and residency is on). */
  readonly resident: boolean;
  /** The backend that ran the kernels so far ('a+b' if gpu.js degraded some calls), never 'auto'. */
  readonly backend: string;
  /** Per kernel called so far, the backend(s) that ran it ('a+b' when calls differed). */
  kernelBackends(): Record<string, string>;
  /** Bytes and time moved between Node and a separate device process (browser-*); undefined elsewhere. */
  transfer(): TransferStats | undefined;
  /** Host <-> device uploads and downloads so far (gpu.js GPU modes); undefined where nothing counts them. */
  deviceTransfers(): DeviceTransfers | undefined;
  /**
   * Device operations for a step whose state stays on the device (gpu.js GPU modes with residency
   * on); their results are tracked like `device`'s. Absent: the step's state lives on the host.
   */
  ops?: DeviceOps;
  /** Takes a handle out of the step's tracking: the caller keeps it across steps and disposes it. */
  keep(handle: DeviceTensor): void;
  /** Disposes every handle produced since the last call; returns how many. */
  releaseHandles(): number;
  dispose(): Promise<void>;
}

/** The default of the resident option: on, unless ALRFLOW_RESIDENT=off. */
export function residentDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['ALRFLOW_RESIDENT'];
  if (v === undefined || v === '' || v === 'on') return true;
  if (v === 'off') return false;
  throw new ConfigError([`environment ALRFLOW_RESIDENT = "${v}"; allowed: on, off, or unset (on)`]);
}

/** Which backends ran the calls: overall, and per kernel. */
interface RanLog {
  all: Set<string>;
  byKernel: Map<KernelName, Set<string>>;
}

function note(log: RanLog, name: KernelName, backend: string): void {
  log.all.add(backend);
  let set = log.byKernel.get(name);
  if (!set) log.byKernel.set(name, (set = new Set()));
  set.add(backend);
}

function recordingTable(runner: KernelRunner, ran: RanLog): KernelTable {
  const entry =
    <K extends KernelName>(name: K) =>
    async (args: KernelArgs[K]): Promise<KernelOutputs[K]> => {
      const result = await runner.run(name, args);
      note(ran, name, result.backend);
      return result.out;
    };
  return Object.fromEntries(KERNEL_NAMES.map((name) => [name, entry(name)])) as KernelTable;
}

function deviceTable(runner: KernelRunner, ran: RanLog, live: Set<DeviceTensor>): DeviceKernels {
  const entry =
    <K extends KernelName>(name: K) =>
    async (args: ResidentArgs<K>): Promise<ResidentOutputs<K>> => {
      const result = await runner.runResident(name, args);
      note(ran, name, result.backend);
      for (const h of handlesIn(result.out)) live.add(h);
      return result.out;
    };
  return Object.fromEntries(KERNEL_NAMES.map((name) => [name, entry(name)])) as DeviceKernels;
}

/**
 * The device operations with every handle they return added to `live`; the loss kernels they run on
 * device labels are recorded as the registry's kernels (`noteKernel`).
 */
function trackedOps(ops: DeviceOps, live: Set<DeviceTensor>, noteKernel: (name: KernelName) => void): DeviceOps {
  const track = async <T extends DeviceTensor | { halves: DeviceTensor }>(p: Promise<T>): Promise<T> => {
    const out = await p;
    live.add('halves' in out ? out.halves : out);
    return out;
  };
  return {
    covers: ops.covers,
    slice: (x, start, length) => track(ops.slice(x, start, length)),
    concat: (parts) => track(ops.concat(parts)),
    repeatRows: (x, rows, copies) => track(ops.repeatRows(x, rows, copies)),
    scale: (x, factor) => track(ops.scale(x, factor)),
    atLeast: (x, floor) => track(ops.atLeast(x, floor)),
    fill: (length, value) => track(ops.fill(length, value)),
    channelStats: (x, dims) => track(ops.channelStats(x, dims)),
    batchnormParamGradient: (a) => track(ops.batchnormParamGradient(a)),
    productSums: (a, b, dims, scale) => track(ops.productSums(a, b, dims, scale)),
    gather: (x, index, scale) => (noteKernel('gather'), track(ops.gather(x, index, scale))),
    crossEntropy: (a) => (noteKernel('softmax-cross-entropy'), track(ops.crossEntropy(a))),
    crossEntropyGradient: (a) => (noteKernel('softmax-gradient'), track(ops.crossEntropyGradient(a))),
    sum: (x) => track(ops.sum(x)),
    nonFinite: (x) => track(ops.nonFinite(x)),
    signWords: (a) => track(ops.signWords(a)),
    signErrorSignal: (a) => track(ops.signErrorSignal(a)),
    errorSignal: (a) => track(ops.errorSignal(a)),
    // ES/AES: the registry kernels over K parameter copies in one call, and the noise's pairs and signs.
    matmulCopies: (x, p, a) => (noteKernel('matmul-a-bt'), track(ops.matmulCopies(x, p, a))),
    biasActivationCopies: (z, p, a) => (noteKernel('bias-activation'), track(ops.biasActivationCopies(z, p, a))),
    batchnormCopies: (x, p, stats, a) => (noteKernel('batchnorm'), track(ops.batchnormCopies(x, p, stats, a))),
    conv2dCopies: (x, p, a) => (noteKernel('conv2d'), track(ops.conv2dCopies(x, p, a))),
    layernormCopies: (x, p, a) => (noteKernel('layernorm'), track(ops.layernormCopies(x, p, a))),
    classTokenCopies: (x, p, a) => (noteKernel('gather'), track(ops.classTokenCopies(x, p, a))),
    antithetic: (x, rows) => track(ops.antithetic(x, rows)),
    packSigns: (x) => (noteKernel('sign-pack'), track(ops.packSigns(x))),
  };
}

export async function resolveKernels(choice: string, resident = residentDefault()): Promise<ResolvedKernels> {
  const runner = await openBackend(choice);
  const ran: RanLog = { all: new Set(), byKernel: new Map() };
  const live = new Set<DeviceTensor>();
  const kernels = recordingTable(runner, ran);
  // Residency off: the host kernels, whose results are never handles (so no argument is one either).
  const device = resident && runner.resident ? deviceTable(runner, ran, live) : (kernels as unknown as DeviceKernels);
  const noteKernel = (name: KernelName) => note(ran, name, runner.backend);
  const ops =
    resident && runner.resident && runner.deviceOps ? trackedOps(runner.deviceOps, live, noteKernel) : undefined;
  return {
    kernels,
    device,
    ...(ops ? { ops } : {}),
    keep: (h) => void live.delete(h),
    resident: resident && runner.resident,
    get backend() {
      return ran.all.size === 0 ? runner.backend : [...ran.all].sort().join('+');
    },
    kernelBackends: () =>
      Object.fromEntries(
        [...ran.byKernel].sort(([a], [b]) => a.localeCompare(b)).map(([k, set]) => [k, [...set].sort().join('+')]),
      ),
    transfer: () => runner.transfer?.(),
    deviceTransfers: () => runner.deviceTransfers?.(),
    releaseHandles() {
      const count = live.size;
      for (const h of live) h.dispose();
      live.clear();
      return count;
    },
    dispose: async () => {
      for (const h of live) h.dispose();
      live.clear();
      await runner.dispose();
    },
  };
}

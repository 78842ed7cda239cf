// A tensor that stays on a kernel backend's device between kernels: an opaque handle to a TF.js
// tensor (tfjs-wasm) or a gpu.js pipeline result (a GL Texture on headlessgl/webgl2, a WebGPU
// buffer handle on webgpu). It knows its backend, length and dtype; `download()` copies it to the
// host once and caches the copy; `dispose()` frees the device memory. Host backends (reference,
// cpu, webasm) have no handles: their host arrays already are the device. Also the argument and
// result types of kernels run resident (a float argument may be a handle). Not a kernel.
import type { BackendName } from './names.js';
import type { KernelArgs, KernelName, KernelOutputs, NumArray } from './names.js';

/** Backends whose kernels can keep results on the device. */
export const RESIDENT_BACKENDS = [
  'tfjs-wasm',
  'headlessgl',
  'webgl2',
  'webgpu',
  'browser-webgpu',
  'browser-webgl2',
] as const;
export type ResidentBackend = (typeof RESIDENT_BACKENDS)[number];

export function isResidentBackend(b: BackendName): b is ResidentBackend {
  return (RESIDENT_BACKENDS as readonly string[]).includes(b);
}

/** How a backend reads back and frees its native object (TF.js: dataSync/dispose; gpu.js: toArray/delete). */
export interface DeviceStorage<N> {
  read(native: N): Float32Array | Promise<Float32Array>;
  release(native: N): void;
}

export class DeviceTensor<N = unknown> {
  readonly kind = 'device-tensor' as const;
  readonly dtype = 'float32' as const;
  private host: Float32Array | undefined;
  private pending: Promise<Float32Array> | undefined;
  private freed = false;

  constructor(
    readonly backend: ResidentBackend,
    readonly length: number,
    private readonly nativeValue: N,
    private readonly storage: DeviceStorage<N>,
  ) {}

  /** The backend's own object, for the kernels of the same backend (throws once disposed). */
  get native(): N {
    if (this.freed) throw new Error(`device tensor (${this.backend}, ${this.length} floats) used after dispose`);
    return this.nativeValue;
  }

  get disposed(): boolean {
    return this.freed;
  }

  /** The host copy if it was downloaded already (the runtime's synchronous reads use it). */
  get downloaded(): Float32Array | undefined {
    return this.host;
  }

  /** Copies the values to the host once; later calls return the same array. */
  download(): Promise<Float32Array> {
    if (this.host) return Promise.resolve(this.host);
    this.pending ??= Promise.resolve(this.storage.read(this.native)).then((values) => {
      if (values.length !== this.length)
        throw new Error(`device tensor (${this.backend}) read back ${values.length} floats; expected ${this.length}`);
      this.host = values;
      return values;
    });
    return this.pending;
  }

  /** Frees the device memory (idempotent); a downloaded host copy stays readable. */
  dispose(): void {
    if (this.freed) return;
    this.freed = true;
    this.storage.release(this.nativeValue);
  }
}

export function isDeviceTensor(v: unknown): v is DeviceTensor {
  return v instanceof DeviceTensor;
}

/** A float argument or result of a kernel run resident: a host array or a handle. */
export type Resident = NumArray | DeviceTensor;

type Widen<T> = T extends NumArray
  ? Resident
  : T extends Int32Array | Uint32Array
    ? T
    : T extends object
      ? { [F in keyof T]: Widen<T[F]> }
      : T;

/** A kernel's arguments where every float array may be a handle (dims and labels stay host values). */
export type ResidentArgs<K extends KernelName> = {
  [F in keyof KernelArgs[K]]: KernelArgs[K][F] extends NumArray ? Resident : KernelArgs[K][F];
};

/** A kernel's results where every float array may be a handle (sign bits stay host Uint32Arrays). */
export type ResidentOutputs<K extends KernelName> = Widen<KernelOutputs[K]>;

/** The kernels a backend can run on handles, taking and returning them. */
export type ResidentTable = { [K in KernelName]?: (args: ResidentArgs<K>) => Promise<ResidentOutputs<K>> };

/** Every handle inside a kernel result (a handle, or an object of them). */
export function handlesIn(out: unknown): DeviceTensor[] {
  if (isDeviceTensor(out)) return [out];
  if (out && typeof out === 'object' && !ArrayBuffer.isView(out)) return Object.values(out).filter(isDeviceTensor);
  return [];
}

/** A copy of `args` with every handle replaced by its host download (for implementations that take host arrays). */
export async function downloadArgs<T extends object>(args: T): Promise<T> {
  const entries = await Promise.all(
    Object.entries(args).map(async ([k, v]) => [k, isDeviceTensor(v) ? await v.download() : v] as const),
  );
  return Object.fromEntries(entries) as T;
}

/** The host shape of a resident value: every handle becomes the Float32Array it downloads to. */
export type Hosted<T> = T extends DeviceTensor
  ? Float32Array
  : T extends ArrayBufferView
    ? T
    : T extends object
      ? { [F in keyof T]: Hosted<T[F]> }
      : T;

/** A copy of a resident result with every handle downloaded (the host shape of the same result). */
export async function downloadResult<T>(out: T): Promise<Hosted<T>> {
  if (isDeviceTensor(out)) return (await out.download()) as Hosted<T>;
  if (out && typeof out === 'object' && !ArrayBuffer.isView(out))
    return downloadArgs(out as object) as Promise<Hosted<T>>;
  return out as Hosted<T>;
}

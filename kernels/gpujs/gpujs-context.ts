// One gpu.js instance pinned to an explicit mode, with a per-shape kernel cache and a record of
// which gpu.js mode actually executed each call (gpu.js silently degrades some kernels to its cpu
// backend; the registry turns that record into the backend every result reports). It also runs
// kernels in gpu.js pipeline mode (`resident()`): the result stays on the GPU (a GL Texture, or a
// WebGPU buffer handle) wrapped as a DeviceTensor, and such handles feed the next kernel of the same
// instance without a readback. It is not a kernel: the kernels live one per file beside it.
import { GPU, type IKernelRunShortcut, type KernelOutput } from 'gpu.js';
import { TransferCounter } from '../device-transfers.js';
import { argKind, flatten, modeOf, paramNames } from './gpujs-values.js';
import { isTextureTooLarge, supportedTextureSize, tiledSource, tilePlan } from './texture-tiles.js';
import {
  DeviceTensor,
  type DeviceStorage,
  isDeviceTensor,
  isResidentBackend,
  type Resident,
} from '../device-tensor.js';

export { flatten, modeOf } from './gpujs-values.js';

export type GpujsMode = 'webasm' | 'cpu' | 'headlessgl' | 'webgpu' | 'webgl2';

/** Every compile-time constant a kernel in this folder reads (sizes baked in per shape). */
export interface KernelConstants {
  m: number;
  k: number;
  n: number;
  rows: number;
  cols: number;
  outs: number;
  ins: number;
  classes: number;
  count: number;
  channels: number;
  spatial: number;
  samples: number;
  copies: number;
  /** A variant of a kernel's formula, as a number (loss-baseline: 0 none, 1 mean, 2 leave-one-out). */
  mode: number;
  copyMajor: number;
  co: number;
  ci: number;
  ks: number;
  stride: number;
  pad: number;
  h: number;
  w: number;
  batch: number;
  oh: number;
  ow: number;
  size: number;
  /** Values per row of a token kernel (LayerNorm features, softmax width). */
  features: number;
  /** Tokens per row of a token sequence (the class token's included: gpujs-device-token-copy-ops.ts). */
  tokens: number;
  /** The first index of the outermost output dimension a tile computes (texture-tiles.ts). */
  tileOffset: number;
  /** Values of one parameter copy in a [K, P] buffer of perturbed copies (gpujs-device-copy-ops.ts). */
  copyWidth: number;
  /** 1 when every copy reads the same input rows, else 0. */
  shared: number;
  /** Where a copy's second part (its biases) starts. */
  offset: number;
}

/** What a kernel body sees as `this` (typed here so kernel sources type-check). */
export interface ThreadThis {
  thread: { x: number; y: number; z: number };
  constants: KernelConstants;
}

/** Kernel bodies index flat float arrays; `!` after an index is stripped by the TS transpile. */
export type Flat = readonly number[];

/** A helper function a kernel calls; every argument and the result are float32 numbers. */
export type KernelHelper = (...args: number[]) => number;

/** A helper given as source (op-helper.ts makes them from the op table), called by `name` in the kernel body. */
export interface HelperSource {
  name: string;
  params: string[];
  source: string;
}

export interface KernelSpec {
  output: number[];
  constants: Partial<KernelConstants>;
  helpers?: (KernelHelper | HelperSource)[];
}

/** What a kernel file needs: compile a kernel, and call it (results as host arrays, or as handles). */
export interface Launcher<O> {
  kernel(name: string, body: (...args: never[]) => number, spec: KernelSpec): IKernelRunShortcut;
  call(k: IKernelRunShortcut, ...args: unknown[]): Promise<O>;
}

/** gpu.js's pipeline result: GL backends return a Texture (toArray sync), webgpu a buffer handle (toArray async). */
interface PipelineResult {
  toArray(): unknown;
  delete(): void;
}

const hostStorage: DeviceStorage<Float32Array> = { read: (a) => a, release: () => undefined };

/** Reads a pipeline result back (counted as a download when the mode has device memory). */
const pipelineStorage = (transfers: TransferCounter | undefined): DeviceStorage<PipelineResult> => ({
  read: async (r) => {
    const values = flatten(await r.toArray());
    transfers?.download(values.byteLength);
    return values;
  },
  release: (r) => r.delete(),
});

export class GpujsContext implements Launcher<Float32Array> {
  readonly gpu: GPU;
  private readonly cache = new Map<string, IKernelRunShortcut>();
  private ran: string[] = [];
  private readonly sources = new WeakMap<IKernelRunShortcut, KernelOrigin>();
  private readonly joined = new WeakSet<Float32Array>();
  private tiles = 0;
  /** Host <-> device transfers of the GPU modes (device-transfers.ts); undefined on webasm and cpu. */
  readonly transfers: TransferCounter | undefined;

  constructor(readonly mode: GpujsMode) {
    this.gpu = new GPU({ mode });
    this.transfers = isResidentBackend(mode) ? new TransferCounter() : undefined;
  }

  /**
   * A compiled kernel for one (name, shape) key. Sizes are baked in as constants so loops have
   * fixed bounds on every backend (GLSL and WGSL need them); gpu.js's default loop cap of 1000 is
   * raised to the largest constant so long reductions are not silently truncated.
   */
  kernel(name: string, body: (...args: never[]) => number, spec: KernelSpec, pipeline = false): IKernelRunShortcut {
    return this.build(name, body.toString(), spec, pipeline);
  }

  private build(name: string, source: string, spec: KernelSpec, pipeline: boolean): IKernelRunShortcut {
    const key = `${name}|${spec.output.join('x')}|${JSON.stringify(spec.constants)}|${pipeline ? 'pipeline' : 'host'}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const loopMax = Math.max(1000, ...Object.values(spec.constants).map((v) => Math.ceil(Math.abs(v)) + 1));
    const built = this.gpu.createKernel(source, {
      output: spec.output,
      constants: spec.constants,
      tactic: 'precision',
      precision: 'single',
    });
    built.setLoopMaxIterations(loopMax);
    // immutable: each call gets a fresh output texture; without it gpu.js reuses one texture per
    // kernel, so a second call would overwrite the handle of the first (gpu.js issues #255, #298).
    if (pipeline) built.setPipeline(true).setImmutable(true);
    for (const helper of spec.helpers ?? []) addHelper(built, helper);
    this.cache.set(key, built);
    this.sources.set(built, { name, source, spec, pipeline });
    return built;
  }

  /** Runs a kernel (awaiting webgpu's promise), records the mode that ran, returns a flat copy. */
  async call(k: IKernelRunShortcut, ...args: unknown[]): Promise<Float32Array> {
    return flatten(await this.launch(k, args));
  }

  /**
   * Calls a kernel with handles unwrapped to their gpu.js objects; records the mode that ran. An
   * output over the texture size runs as tiles (texture-tiles.ts) joined into one host array.
   */
  private async launch(kernel: IKernelRunShortcut, args: unknown[]): Promise<KernelOutput> {
    const unwrapped = args.map((a) => (isDeviceTensor(a) ? a.native : a));
    const k = this.forArgs(kernel, unwrapped);
    let raw: KernelOutput;
    try {
      raw = (await (k as unknown as (...a: unknown[]) => unknown)(...unwrapped)) as KernelOutput;
    } catch (err) {
      if (!isTextureTooLarge(err)) throw err;
      return this.launchTiled(k, unwrapped, supportedTextureSize(err as Error));
    }
    this.ran.push(modeOf(k));
    this.transfers?.uploadArgs(unwrapped);
    if (ArrayBuffer.isView(raw) || Array.isArray(raw))
      this.transfers?.download(4 * (k.output as number[]).reduce((p, v) => p * v, 1));
    return raw;
  }

  /**
   * gpu.js fixes a kernel's argument types at its first call and, after a few switches, refuses
   * ("argumentMismatch"): a call whose arguments are of other kinds (a texture where a host array
   * was, as when a resident input meets a host one) gets a kernel of its own.
   */
  private forArgs(k: IKernelRunShortcut, args: unknown[]): IKernelRunShortcut {
    const origin = this.sources.get(k);
    if (!origin) return k;
    const kinds = args.map(argKind).join(',');
    origin.kinds ??= kinds;
    if (origin.kinds === kinds) return k;
    const variant = this.build(`${origin.name}(${kinds})`, origin.source, origin.spec, origin.pipeline);
    this.sources.get(variant)!.kinds = kinds;
    return variant;
  }

  private async launchTiled(k: IKernelRunShortcut, args: unknown[], max: [number, number]): Promise<Float32Array> {
    const origin = this.sources.get(k);
    if (!origin) throw new Error('gpu.js: a kernel not built by this context exceeded the texture size');
    const { name, source, spec } = origin;
    const parts: Float32Array[] = [];
    for (const tile of tilePlan(spec.output, max)) {
      const tk = this.build(
        `${name}@tile`,
        tiledSource(source, spec.output.length),
        { ...spec, output: tile.output, constants: { ...spec.constants, tileOffset: tile.offset } },
        false,
      );
      parts.push(flatten(await (tk as unknown as (...a: unknown[]) => unknown)(...args)));
      this.transfers?.uploadArgs(args);
      this.transfers?.download(parts[parts.length - 1]!.byteLength);
      this.ran.push(modeOf(tk));
      this.tiles++;
    }
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    this.joined.add(out);
    return out;
  }

  /** Tiles launched since the last take (calls whose output exceeded the texture size). */
  takeTiles(): number {
    const n = this.tiles;
    this.tiles = 0;
    return n;
  }

  /**
   * This instance launching in pipeline mode: results are DeviceTensors over gpu.js's pipeline
   * results. Only the GPU modes have them; on webasm and cpu gpu.js's pipeline returns plain arrays
   * (no device to stay on), so those modes have no resident launcher.
   */
  resident(): Launcher<DeviceTensor> {
    const backend = this.mode;
    if (!isResidentBackend(backend))
      throw new Error(`gpu.js ${backend}: no device memory to keep results in; run its kernels with host arrays`);
    return {
      kernel: (name, body, spec) => this.kernel(name, body, spec, true),
      call: async (k, ...args) => {
        const raw = (await this.launch(k, args)) as unknown;
        const [x = 1, y = 1, z = 1] = k.output as number[];
        // A tiled call's tiles were joined on the host: the handle holds that array (gpu.js uploads it when read).
        if (raw instanceof Float32Array && this.joined.has(raw))
          return new DeviceTensor(backend, raw.length, raw, hostStorage);
        if (ArrayBuffer.isView(raw) || Array.isArray(raw))
          throw new Error(`gpu.js ${backend}: a pipeline kernel returned a host array (it degraded to ${modeOf(k)})`);
        return new DeviceTensor(backend, x * y * z, raw as PipelineResult, pipelineStorage(this.transfers));
      },
    };
  }

  /** The gpu.js modes that executed since the last take, deduplicated. */
  takeRanModes(): string[] {
    const modes = [...new Set(this.ran)];
    this.ran = [];
    return modes;
  }

  async destroy(): Promise<void> {
    this.cache.clear();
    await this.gpu.destroy();
  }
}

function addHelper(built: IKernelRunShortcut, helper: KernelHelper | HelperSource): void {
  if (typeof helper === 'function') {
    const argumentTypes = Object.fromEntries(paramNames(helper).map((p) => [p, 'Number' as const]));
    built.addFunction(helper as never, { argumentTypes, returnType: 'Number' });
    return;
  }
  const argumentTypes = helper.params.map(() => 'Number' as const);
  built.addFunction(helper.source as never, { name: helper.name, argumentTypes, returnType: 'Number' } as never);
}

/** What a kernel file built, for variants (argument kinds) and tiles (texture size). */
interface KernelOrigin {
  name: string;
  source: string;
  spec: KernelSpec;
  pipeline: boolean;
  /** The argument kinds of its first call: n number, a host array, t:Class a device object. */
  kinds?: string;
}

/** float32 view of an input (gpu.js reads Float32Array; float64 inputs are rounded once here); a handle passes as it is. */
export function f32(a: Float32Array | Float64Array | Int32Array): Float32Array;
export function f32(a: Resident | Int32Array): Float32Array | DeviceTensor;
export function f32(a: Resident | Int32Array): Float32Array | DeviceTensor {
  return a instanceof Float32Array || isDeviceTensor(a) ? a : Float32Array.from(a);
}

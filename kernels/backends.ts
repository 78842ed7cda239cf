// Kernel backend names and detection: whether each backend can run on this machine, and if not,
// why. Detection runs a tiny kernel and checks that the engine that executed it is the one asked
// for (gpu.js silently changes mode otherwise). It is not the dispatcher: see registry.ts.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ConfigError } from '../src/errors.js';
import {
  BACKEND_CHOICES,
  BACKEND_NAMES,
  type BackendChoice,
  type BackendName,
  type BrowserBackend,
  type GpujsBackend,
} from './names.js';

export {
  BACKEND_CHOICES,
  BACKEND_NAMES,
  GPUJS_BACKENDS,
  isGpujsBackend,
  type BackendChoice,
  type BackendName,
  type GpujsBackend,
} from './names.js';

export interface BackendAvailability {
  backend: BackendName;
  works: boolean;
  /** Why it cannot run here; null when it works. */
  reason: string | null;
  /** What executes it, e.g. "gpu.js WebAssemblyKernel" or "tfjs-core 4.22.0 wasm". */
  engine: string;
}

/** Validates a --backend value, listing the valid names when it is unknown. */
export function parseBackendChoice(value: string, where = '--backend'): BackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new ConfigError([
    `${where}: unknown kernel backend "${value}"; allowed: ${BACKEND_CHOICES.join(', ')} (hint: run "alrflow backends" to see which work here)`,
  ]);
}

const cache = new Map<BackendName, Promise<BackendAvailability>>();

/** Detects one backend once per process (detection compiles a kernel, so it is cached). */
export function detectBackend(backend: BackendName): Promise<BackendAvailability> {
  let hit = cache.get(backend);
  if (!hit) {
    hit = detectUncached(backend);
    cache.set(backend, hit);
  }
  return hit;
}

export async function detectAll(): Promise<BackendAvailability[]> {
  const out: BackendAvailability[] = [];
  for (const b of BACKEND_NAMES) out.push(await detectBackend(b));
  return out;
}

async function detectUncached(backend: BackendName): Promise<BackendAvailability> {
  const no = (reason: string, engine: string): BackendAvailability => ({ backend, works: false, reason, engine });
  switch (backend) {
    case 'reference':
      return { backend, works: true, reason: null, engine: 'float64 TypeScript (kernels/reference)' };
    case 'tfjs-wasm':
      return detectTfjs();
    case 'webgl2':
      return no(
        'browser only: gpu.js webgl2 needs a browser WebGL2 context; covered by test/browser (headless Chromium)',
        'gpu.js WebGL2Kernel',
      );
    case 'headlessgl': {
      const missing = headlessGlPrerequisite();
      return missing ? no(missing, 'gpu.js HeadlessGLKernel') : probeGpujs('headlessgl');
    }
    case 'webgpu': {
      const missing = await installNodeWebgpu();
      return missing ? no(missing, 'gpu.js WebGPUKernel') : probeGpujs('webgpu');
    }
    case 'webasm':
    case 'cpu':
      return probeGpujs(backend);
    case 'browser-webgpu':
    case 'browser-webgl2':
      return probeBrowser(backend);
    default:
      return backend satisfies never;
  }
}

/** Runs a 3-element kernel in the mode and checks both the numbers and the mode that executed. */
async function probeGpujs(mode: GpujsBackend): Promise<BackendAvailability> {
  const { GpujsContext, modeOf } = await import('./gpujs/gpujs-context.js');
  const engine = `gpu.js ${mode}`;
  let ctx: InstanceType<typeof GpujsContext> | undefined;
  try {
    ctx = new GpujsContext(mode);
    const k = ctx.kernel(
      'probe',
      function (this: { thread: { x: number } }, a: readonly number[]) {
        return a[this.thread.x]! * 2;
      },
      { output: [3], constants: {} },
    );
    const out = await ctx.call(k, Float32Array.of(1, 2, 3));
    const ran = modeOf(k);
    if (ran !== mode)
      return { backend: mode, works: false, reason: `gpu.js ran the probe on "${ran}" instead of "${mode}"`, engine };
    if (out[0] !== 2 || out[2] !== 6)
      return {
        backend: mode,
        works: false,
        reason: `probe kernel returned wrong values [${Array.from(out).join(', ')}]`,
        engine,
      };
    return { backend: mode, works: true, reason: null, engine: `gpu.js ${k.kernel.constructor.name}` };
  } catch (err) {
    return {
      backend: mode,
      works: false,
      reason: `gpu.js ${mode} failed: ${err instanceof Error ? err.message : String(err)}`,
      engine,
    };
  } finally {
    await ctx?.destroy().catch(() => undefined);
  }
}

/** What gl's native build needs on Debian/Ubuntu (README "GPU backends"), and the display it runs on. */
export const GL_APT_PACKAGES = 'libxi-dev libglu1-mesa-dev libglew-dev pkg-config build-essential python3 xvfb';
const GL_HINT = `install its build prerequisites (Debian/Ubuntu: sudo apt-get install -y ${GL_APT_PACKAGES})`;

/**
 * Opens the backend's Chromium page, runs a 3-element kernel there (numbers and the mode that ran
 * checked), and times a 4 MiB round trip to the page and back: the transfer cost every kernel
 * call's arrays pay, printed in the engine line.
 */
async function probeBrowser(backend: BrowserBackend): Promise<BackendAvailability> {
  const mode = backend.slice('browser-'.length);
  const engine = `gpu.js ${mode} in headless Chromium`;
  const { BrowserDevice, chromiumPath } = await import('./browser/browser-device.js');
  if (!existsSync(chromiumPath()))
    return {
      backend,
      works: false,
      reason: `no Chromium at ${chromiumPath()} (hint: apt-get install -y chromium, or set ALRFLOW_CHROMIUM)`,
      engine,
    };
  let device: Awaited<ReturnType<typeof BrowserDevice.open>> | undefined;
  try {
    device = await BrowserDevice.open(backend);
    const r = await device.run('add', { a: Float32Array.of(1, 2, 3), b: Float32Array.of(1, 2, 3) }, false);
    const out = r.out as Float32Array;
    if (r.ran.join() !== mode)
      return {
        backend,
        works: false,
        reason: `gpu.js in Chromium ran the probe on "${r.ran.join('+')}" instead of "${mode}" (${device.adapter})`,
        engine,
      };
    if (out[0] !== 2 || out[2] !== 6)
      return {
        backend,
        works: false,
        reason: `probe kernel returned wrong values [${Array.from(out).join(', ')}]`,
        engine,
      };
    await device.echoMs(1 << 20);
    const echo = Math.min(await device.echoMs(1 << 20), await device.echoMs(1 << 20));
    return {
      backend,
      works: true,
      reason: null,
      engine: `${engine} (${device.adapter}); 4 MiB to the page and back ${echo.toFixed(0)} ms`,
    };
  } catch (err) {
    return {
      backend,
      works: false,
      reason: `${engine} failed: ${String(err instanceof Error ? err.message : err).split('\n')[0]}`,
      engine,
    };
  } finally {
    await device?.close().catch(() => undefined);
  }
}

function headlessGlPrerequisite(): string | null {
  const require = createRequire(import.meta.url);
  try {
    require.resolve('gl');
  } catch {
    return `the optional "gl" package is not installed (npm drops it when its native build fails): ${GL_HINT}, then rerun "npm ci"`;
  }
  let gl: ((w: number, h: number) => unknown) | undefined;
  try {
    gl = require('gl') as (w: number, h: number) => unknown;
  } catch (err) {
    const why = String(err instanceof Error ? err.message : err).split('\n')[0];
    return `the optional "gl" package is installed but its native binding does not load (${why}): ${GL_HINT}, then run "npm rebuild gl"`;
  }
  if (!process.env['DISPLAY'])
    return 'no X display: headless-gl needs one (hint: run under "xvfb-run -a", from Debian/Ubuntu package xvfb)';
  return gl(1, 1) ? null : 'headless-gl could not create a WebGL context on this display';
}

/**
 * gpu.js finds WebGPU through navigator.gpu; in Node that comes from the `webgpu` package (Dawn).
 * Returns why it is unavailable, or null once navigator.gpu answers with an adapter.
 */
async function installNodeWebgpu(): Promise<string | null> {
  const g = globalThis as unknown as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } };
  try {
    if (!g.navigator?.gpu) {
      const dawn = (await import('webgpu')) as unknown as { create(flags: string[]): unknown; globals: object };
      Object.assign(globalThis, dawn.globals);
      Object.defineProperty(globalThis, 'navigator', {
        value: { ...(g.navigator ?? {}), gpu: dawn.create([]) },
        configurable: true,
        writable: true,
      });
    }
    const adapter = await g.navigator?.gpu?.requestAdapter();
    return adapter ? null : 'the webgpu package loaded but no GPU adapter answered (no GPU or no Vulkan driver)';
  } catch (err) {
    const msg = String(err instanceof Error ? err.message : err).split('\n')[0];
    return `the webgpu package (Dawn) cannot load here: ${msg}`;
  }
}

async function detectTfjs(): Promise<BackendAvailability> {
  try {
    const { tfjsReady } = await import('./tfjs/tfjs-runtime.js');
    const engine = await tfjsReady();
    return { backend: 'tfjs-wasm', works: true, reason: null, engine };
  } catch (err) {
    // A bad setting (ALRFLOW_TFJS_THREADS) is the user's to fix, not a reason to fall back to another backend.
    if (err instanceof ConfigError) throw err;
    const msg = String(err instanceof Error ? err.message : err).split('\n')[0];
    return {
      backend: 'tfjs-wasm',
      works: false,
      reason: `TF.js wasm backend unavailable: ${msg} (hint: install @tensorflow/tfjs-core and @tensorflow/tfjs-backend-wasm)`,
      engine: 'tfjs wasm',
    };
  }
}

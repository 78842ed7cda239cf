// One route to the GPU, probed in this process: headless-gl through GLX (on an X display) or EGL
// (no display), or Dawn through Vulkan. Reports the renderer or adapter string the route reaches;
// a route counts only if that string names NVIDIA (llvmpipe, SwiftShader or an error do not).
// The environment (DISPLAY, GL vendor, Vulkan ICD, carried loader libraries) is set by run.sh.
import { createRequire } from 'node:module';

export const ROUTES = ['glx', 'egl', 'vulkan'] as const;
export type Route = (typeof ROUTES)[number];

export interface RouteResult {
  route: Route;
  /** The gpu.js backend the route runs. */
  backend: 'headlessgl' | 'webgpu';
  renderer: string | null;
  counts: boolean;
  /** Why the route does not count; null when it does. */
  reason: string | null;
}

interface GlLike {
  RENDERER: number;
  VENDOR: number;
}

/** headless-gl's JS layer answers RENDERER with a fixed "ANGLE"; its native base class gives ANGLE's string, which names the GL driver. */
interface NativeGl {
  NativeWebGLRenderingContext: { prototype: { getParameter(this: GlLike, p: number): unknown } };
}

/**
 * headless-gl 8.1.6 builds ANGLE with only a GLX display on Linux (angle/src/libANGLE/Display.cpp
 * creates DisplayGLX and nothing else): without an X display it creates no context, EGL vendor or not.
 */
const NO_X_HINT =
  'headless-gl 8.1.6 builds ANGLE with a GLX display only, so it needs an X server even where EGL works';

function glRenderer(): string {
  const require = createRequire(import.meta.url);
  const createGl = require('gl') as (w: number, h: number) => GlLike | null;
  const gl = createGl(1, 1);
  if (!gl) {
    const display = process.env['DISPLAY'] ?? '';
    throw new Error(
      `headless-gl created no WebGL context (DISPLAY=${display || 'unset'})${display ? '' : `: ${NO_X_HINT}`}`,
    );
  }
  const native = require('gl/src/javascript/native-gl.js') as NativeGl;
  const read = (p: number): string => String(native.NativeWebGLRenderingContext.prototype.getParameter.call(gl, p));
  return `${read(gl.VENDOR)} / ${read(gl.RENDERER)}`;
}

type AdapterInfo = Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>>;
interface Adapter {
  info?: AdapterInfo;
  requestAdapterInfo?: () => Promise<AdapterInfo>;
}

async function dawnAdapter(): Promise<string> {
  const dawn = (await import('webgpu')) as unknown as {
    create(flags: string[]): { requestAdapter(o?: object): Promise<Adapter | null> };
  };
  const adapter = await dawn.create([]).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no Vulkan adapter');
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  return (
    [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' / ') ||
    '(adapter without info)'
  );
}

/** A route counts only if its renderer or adapter string names NVIDIA (llvmpipe, SwiftShader and the like do not). */
export function verdict(renderer: string): { counts: boolean; reason: string | null } {
  const counts = /nvidia/i.test(renderer);
  return { counts, reason: counts ? null : `the renderer is not an NVIDIA GPU: "${renderer}"` };
}

export async function probeRoute(route: Route): Promise<RouteResult> {
  const backend = route === 'vulkan' ? 'webgpu' : 'headlessgl';
  try {
    const renderer = route === 'vulkan' ? await dawnAdapter() : glRenderer();
    return { route, backend, renderer, ...verdict(renderer) };
  } catch (err) {
    return {
      route,
      backend,
      renderer: null,
      counts: false,
      reason: String(err instanceof Error ? err.message : err).split('\n')[0]!,
    };
  }
}

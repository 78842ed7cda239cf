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
  getParameter(p: number): unknown;
  getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number } | null;
}

function glRenderer(): string {
  const require = createRequire(import.meta.url);
  const createGl = require('gl') as (w: number, h: number) => GlLike | null;
  const gl = createGl(1, 1);
  if (!gl) throw new Error(`headless-gl created no WebGL context (DISPLAY=${process.env['DISPLAY'] ?? 'unset'})`);
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return `${String(gl.getParameter(gl.VENDOR))} / ${String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER))}`;
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

export async function probeRoute(route: Route): Promise<RouteResult> {
  const backend = route === 'vulkan' ? 'webgpu' : 'headlessgl';
  try {
    const renderer = route === 'vulkan' ? await dawnAdapter() : glRenderer();
    const counts = /nvidia/i.test(renderer);
    return {
      route,
      backend,
      renderer,
      counts,
      reason: counts ? null : `the renderer is not an NVIDIA GPU: "${renderer}"`,
    };
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

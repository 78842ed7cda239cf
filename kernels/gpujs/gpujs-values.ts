// What gpu.js hands back and takes, apart from running kernels (gpujs-context.ts): a result flattened
// to one Float32Array, the kind of an argument (gpu.js compiles per kind), a helper's parameter
// names, and the mode of the kernel object that actually ran. Not a kernel.
import type { IKernelRunShortcut } from 'gpu.js';

/**
 * gpu.js compiles an array or texture argument for its class (GLTextureFloat, ...2D, ...3D) and bakes its
 * texture size and dimensions into the kernel's source (a texture of another size would be read at the
 * wrong texels, an array of another length overflows its upload buffer): class and size are the kind.
 */
export function argKind(a: unknown): string {
  if (typeof a === 'number') return 'n';
  if (ArrayBuffer.isView(a) || Array.isArray(a)) return `a${(a as ArrayLike<unknown>).length}`;
  const texture = a as { constructor?: { name?: string }; size?: number[]; dimensions?: number[] };
  const shape = `${texture.size?.join('x') ?? ''}/${texture.dimensions?.join('x') ?? ''}`;
  return `t:${texture.constructor?.name ?? 'object'}:${shape}`;
}

export function paramNames(fn: (...args: number[]) => number): string[] {
  const match = /\(([^)]*)\)/.exec(fn.toString());
  return (match?.[1] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** The gpu.js mode of the kernel object that actually executes (after any fallback swap). */
export function modeOf(k: IKernelRunShortcut): string {
  const ctor = (k.kernel as unknown as { constructor: { mode?: string; name: string } }).constructor;
  // The GL kernel classes all report mode "gpu"; their class names say which context they hold.
  const byClass: Record<string, string> = {
    WebGL2Kernel: 'webgl2',
    WebGLKernel: 'webgl',
    HeadlessGLKernel: 'headlessgl',
  };
  return byClass[ctor.name] ?? ctor.mode ?? 'unknown';
}

/** Copies a 1-D, 2-D or 3-D gpu.js result into one row-major Float32Array. */
export function flatten(raw: unknown): Float32Array {
  if (raw instanceof Float32Array) return raw;
  if (!Array.isArray(raw)) throw new Error(`gpu.js returned ${typeof raw}, expected an array`);
  const parts: Float32Array[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Float32Array) parts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'number') parts.push(Float32Array.of(v));
    else throw new Error(`gpu.js returned an element of type ${typeof v}`);
  };
  walk(raw);
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

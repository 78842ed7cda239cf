// Turns a scalar function of the op table (kernels/ops) into a gpu.js helper's source under a given
// name, so every gpu.js mode (GLSL, WGSL, wasm, JS) compiles the very function the float64 reference
// runs: the op is written once. The op's function is an arrow function or a function expression of
// numbers (ops/activation-op.ts states what it may use). Not a kernel.
import type { HelperSource } from './gpujs-context.js';

const ARROW = /^\s*\(?([\w$,\s]*?)\)?\s*=>\s*([\s\S]+)$/;
const FUNCTION = /^\s*function\s*[\w$]*\s*\(([\w$,\s]*)\)\s*(\{[\s\S]*\})\s*$/;

export function opHelper(name: string, fn: (...args: number[]) => number): HelperSource {
  const source = fn.toString();
  const arrow = ARROW.exec(source);
  const named = arrow ? undefined : FUNCTION.exec(source);
  const match = arrow ?? named;
  if (!match) throw new Error(`gpu.js: op function ${name} is neither an arrow function nor a function: ${source}`);
  const params = match[1]!
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const body = match[2]!.trim();
  const block = named || body.startsWith('{') ? body : `{ return ${body}; }`;
  return { name, params, source: `function ${name}(${params.join(', ')}) ${block}` };
}

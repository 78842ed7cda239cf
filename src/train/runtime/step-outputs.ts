// Reading a step's output ports into host arrays, and the host state arrays as the next step's input
// ports take them: a layer's parameters as the graph's one buffer (weights then biases), and float64 state
// arrays as the float32 arrays a float32 kernel's update left, where they were copied from one. Not a kernel.
import { hostNum, toF64, type ExecContext } from './exec-context.js';
import type { PortRole } from '../../ir/types.js';
import type { NumArray } from '../../../kernels/names.js';
import type { LayerParams } from './step-types.js';

/**
 * The graph's one buffer (weights then biases) behind parameters an update produced, which flatParams hands
 * out again.
 */
const flatOf = new WeakMap<LayerParams, Float64Array>();

/** A layer's parameters as the graph's one buffer (weights then biases). */
export function flatParams(p: LayerParams): Float64Array {
  let flat = flatOf.get(p);
  if (!flat) {
    flat = new Float64Array(p.weights.length + p.biases.length);
    flat.set(p.weights);
    flat.set(p.biases, p.weights.length);
  }
  return flat;
}

/** A layer's buffer (weights then biases, the first `weights` values weights) as two views of it. */
export function splitLayer(flat: Float64Array, weights: number): LayerParams {
  return { weights: flat.subarray(0, weights), biases: flat.subarray(weights) };
}

/** A layer's parameter buffer as its parameters (splitLayer), which flatParams hands back as the buffer. */
export function paramsOfBuffer(flat: Float64Array, weights: number): LayerParams {
  const p = splitLayer(flat, weights);
  flatOf.set(p, flat);
  return p;
}

/**
 * The float32 array a float64 state array was copied from (a float32 kernel's update result): the next
 * step's input port gets it instead, the same values without a float64 -> float32 copy per kernel upload.
 * State arrays are replaced, never written in place, so the two cannot drift apart.
 */
const float32Source = new WeakMap<Float64Array, Float32Array>();

/** A state array as an input port takes it: its float32 source where it has one. */
export const asInput = (a: Float64Array): NumArray => float32Source.get(a) ?? a;

/** A host array as float64, remembering a float32 source (asInput). */
export function widened(host: NumArray): Float64Array {
  const values = toF64(host);
  if (host instanceof Float32Array) float32Source.set(values, host);
  return values;
}

/** The host values of the step's output ports of one role, by layer, as the kernels left them (handles downloaded). */
export async function hostOutputsOf(ctx: ExecContext, role: PortRole): Promise<Map<string, NumArray>> {
  const out = new Map<string, NumArray>();
  for (const p of ctx.graph.outputs) {
    if (p.role !== role) continue;
    if (!ctx.env.has(p.tensor)) throw new Error(`runtime: the step left no ${role} in its output port ${p.tensor}`);
    out.set(p.layer!, await hostNum(ctx, p.tensor));
  }
  return out;
}

/** The host values of the step's output ports of one role, by layer, as float64 (device handles downloaded). */
export async function outputsOf(ctx: ExecContext, role: PortRole): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  for (const [layer, host] of await hostOutputsOf(ctx, role)) out.set(layer, widened(host));
  return out;
}

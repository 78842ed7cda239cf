// A run's parameters and optimizer state kept on the device between steps (where the backend has
// device operations: gpu.js GPU modes): the handles of the step graph's params and optimizer-state
// outputs, taken out of the step's handle tracking and handed to the next step's input ports. The
// host copies go stale after a step and are brought up to date only on demand (checkpoints), so a
// step reads back one small array: each Loss node's sum and each updated buffer's count of
// non-finite values (stepStatus). Not a kernel.
import type { DeviceOps } from '../../../kernels/device-ops.js';
import { type DeviceTensor, isDeviceTensor, type Resident } from '../../../kernels/device-tensor.js';
import type { PortRole } from '../../ir/types.js';
import type { ExecContext } from './exec-context.js';

/**
 * The port roles whose values live across steps (staleness 1: the gradients the next step applies, of the
 * parameters and of learned sigma; learned sigma and its optimizer state).
 */
export type StateRole = Extract<
  PortRole,
  'params' | 'optimizer-state' | 'stale-gradient' | 'sigma' | 'sigma-optimizer-state' | 'stale-sigma-gradient'
>;

const key = (role: StateRole, layer: string): string => `${role}\u0000${layer}`;

export class DeviceState {
  private readonly held = new Map<string, { role: StateRole; layer: string; handle: DeviceTensor }>();
  /** Whether a handle is newer than the host copy. */
  stale = false;

  get(role: StateRole, layer: string): DeviceTensor | undefined {
    return this.held.get(key(role, layer))?.handle;
  }

  /** Holds `handle` as the buffer of (role, layer), freeing the one it replaces. */
  set(role: StateRole, layer: string, handle: DeviceTensor): void {
    const k = key(role, layer);
    const old = this.held.get(k)?.handle;
    if (old && old !== handle) old.dispose();
    this.held.set(k, { role, layer, handle });
    this.stale = true;
  }

  /** Every held buffer downloaded: (role, layer, values). */
  async download(): Promise<{ role: StateRole; layer: string; values: Float32Array }[]> {
    const out = [];
    for (const { role, layer, handle } of this.held.values())
      out.push({ role, layer, values: await handle.download() });
    return out;
  }

  /** Whether any buffer of `role` is held. */
  holds(role: StateRole): boolean {
    return [...this.held.values()].some((h) => h.role === role);
  }

  clear(): void {
    for (const { handle } of this.held.values()) handle.dispose();
    this.held.clear();
    this.stale = false;
  }
}

export interface StepStatus {
  /** Mean over the Loss nodes of each node's mean row loss (the step's loss). */
  meanLoss: number;
  /** Values of the updated buffers that are not finite. */
  nonFinite: number;
  /** The same count per updated buffer, in the order given. */
  nonFiniteEach: number[];
}

/**
 * The step's loss and its updated parameters' finiteness in one readback: a device sum per Loss node
 * and a device count of non-finite values per updated parameter buffer, joined into one array.
 */
export async function stepStatus(
  ops: DeviceOps,
  ctx: ExecContext | readonly ExecContext[],
  updated: readonly DeviceTensor[],
): Promise<StepStatus> {
  const contexts = Array.isArray(ctx) ? (ctx as readonly ExecContext[]) : [ctx as ExecContext];
  // A micro-batched step's Loss node: its micro-batches' row losses joined (a sum over the whole batch's rows).
  const losses = await Promise.all(
    contexts[0]!.losses.map((_, j) => {
      const rows = contexts.map((c) => c.losses[j]!);
      return rows.length === 1 ? rows[0]! : ops.concat(rows);
    }),
  );
  const parts: DeviceTensor[] = [];
  for (const l of losses) parts.push(await ops.sum(l));
  for (const p of updated) parts.push(await ops.nonFinite(p));
  const values = await (await ops.concat(parts)).download();
  const means = losses.map((l, i) => values[i]! / l.length);
  return {
    meanLoss: means.reduce((s, l) => s + l, 0) / means.length,
    nonFinite: values.subarray(means.length).reduce((s, v) => s + v, 0),
    nonFiniteEach: [...values.subarray(means.length)],
  };
}

/** The step's output values of one role by layer, where every one is a device handle; else undefined. */
export function deviceOutputs(ctx: ExecContext, role: StateRole): Map<string, DeviceTensor> | undefined {
  const out = new Map<string, DeviceTensor>();
  for (const p of ctx.graph.outputs) {
    if (p.role !== role) continue;
    const value = ctx.env.get(p.tensor);
    if (!isDeviceTensor(value)) return undefined;
    out.set(p.layer!, value);
  }
  return out;
}

/**
 * A micro-batched step's gradient on the device: the micro-batches' gradients weighted by their sample
 * counts (micro-batches.ts's weighted sum, in float32 on the device).
 */
export async function weightedSumOnDevice(
  ops: DeviceOps,
  add: (a: Resident, b: Resident) => Promise<Resident>,
  parts: readonly Resident[],
  weights: readonly number[],
): Promise<Resident> {
  let sum: Resident = await ops.scale(parts[0]!, weights[0]!);
  for (let i = 1; i < parts.length; i++) sum = await add(sum, await ops.scale(parts[i]!, weights[i]!));
  return sum;
}

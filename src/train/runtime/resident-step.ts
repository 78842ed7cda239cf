// A step whose parameters and optimizer state stay on the device between steps (gpu.js GPU modes;
// tfjs-wasm without noise; device-state.ts): its host inputs go up once (resident-inputs.ts), a
// micro-batched step sums its micro-batches' gradients on the device weighted by rows, staleness 1 keeps
// the gradient the next step applies there (of the parameters and of learned sigma), learned sigma and
// its optimizer state stay there (a micro-batched step sums the micro-batches' sigma gradients as it
// does the weights'), and the step reads back one array: its loss and the finiteness of its updated
// parameters and sigma (stepStatus). Not a kernel.
import { updateInputs } from '../../compiler/insert-stale-gradients.js';
import { microBatchesOf, stepInstances } from '../../ir/step-instances.js';
import { isDeviceTensor, type DeviceTensor, type Resident } from '../../../kernels/device-tensor.js';
import { deviceOutputs, stepStatus, weightedSumOnDevice, type DeviceState, type StateRole } from './device-state.js';
import type { ExecContext } from './exec-context.js';
import { executeGraph, runNode } from './execute-graph.js';
import { nonFiniteSigma } from './learned-sigma.js';
import type { ResolvedKernels } from './resolve-kernels.js';
import { RESIDENT_ROLES, shareStepInputs, uploadStepInputs } from './resident-inputs.js';
import type { Rates, StepContexts } from './step-context.js';
import { counterparts, isUpdate, keptOf, type UpdateNode } from './step-parts.js';
import type { Batch, StepResult } from './step-types.js';

/** What a resident step needs of the run. */
export interface ResidentRun {
  resolved: ResolvedKernels;
  contexts: StepContexts;
  onDevice: DeviceState;
  /** Whether a stale gradient waits on the host (a checkpoint was loaded). */
  pendingOnHost: boolean;
}

/** A resident step's result, and whether its update was applied, dropped (non-finite parameters) or not run. */
export interface ResidentOutcome {
  result: StepResult;
  update: 'applied' | 'rejected' | 'none';
}

/** A tensor a resident step left on the device. */
function deviceValue(ctx: ExecContext, id: string): DeviceTensor {
  const value = ctx.env.get(id);
  if (!isDeviceTensor(value)) throw new Error(`runtime: the resident step left ${id} on the host`);
  return value;
}

/** Holds a resident step's output buffers across steps (the handles leave the step's tracking). */
function keepOnDevice(run: ResidentRun, outputs: readonly (readonly [StateRole, Map<string, DeviceTensor>])[]): void {
  for (const [role, byLayer] of outputs)
    for (const [layer, handle] of byLayer) {
      run.resolved.keep(handle);
      run.onDevice.set(role, layer, handle);
    }
}

/** A step whose parameters and optimizer state stay on the device: one readback (loss, update's finiteness). */
export async function residentStep(
  run: ResidentRun,
  batch: Batch,
  step: number,
  rates: Rates,
): Promise<ResidentOutcome> {
  const parts = await residentGradients(run, batch, step, rates);
  const ctx = parts.at(-1)!;
  const stale = ctx.graph.inputs.some((p) => p.role === 'stale-gradient');
  if (stale && !run.pendingOnHost && !run.onDevice.holds('stale-gradient')) return firstStaleStep(run, parts);
  await executeGraph(ctx, isUpdate);
  const held = RESIDENT_ROLES.map((role) => [role, deviceOutputs(ctx, role)] as const);
  if (held.some(([, byLayer]) => !byLayer))
    throw new Error('runtime: a resident step left a parameter, state, gradient or sigma buffer on the host');
  const outputs = held as [StateRole, Map<string, DeviceTensor>][];
  const params = outputs.find(([role]) => role === 'params')![1];
  const sigma = outputs.filter(([role]) => role.startsWith('sigma')).flatMap(([, byLayer]) => [...byLayer]);
  const status = await stepStatus(run.resolved.ops!, parts, [...params.values(), ...sigma.map(([, h]) => h)]);
  const result = { meanLoss: status.meanLoss, gradients: {}, keptBytes: keptOf(parts) };
  if (!Number.isFinite(status.meanLoss)) return { result, update: 'none' };
  if (status.nonFiniteEach.slice(0, params.size).some((n) => n > 0)) return { result, update: 'rejected' };
  const badSigma = sigma.find((_, i) => status.nonFiniteEach[params.size + i]! > 0);
  if (badSigma) throw nonFiniteSigma(badSigma[0]);
  keepOnDevice(run, outputs);
  return { result, update: 'applied' };
}

/** The state roles a step's input ports hold that the first staleness-1 step keeps as it uploaded them. */
const UNCHANGED_INPUTS: ReadonlySet<string> = new Set(['params', 'optimizer-state', 'sigma', 'sigma-optimizer-state']);

/** The step's state inputs that are on the device (uploaded this step or held), by role and layer. */
function stateInputs(ctx: ExecContext): [StateRole, Map<string, DeviceTensor>][] {
  const byRole = new Map<StateRole, Map<string, DeviceTensor>>();
  for (const port of ctx.graph.inputs) {
    const value = ctx.env.get(port.tensor);
    if (!UNCHANGED_INPUTS.has(port.role) || port.layer === undefined || !isDeviceTensor(value)) continue;
    const role = port.role as StateRole;
    byRole.set(role, (byRole.get(role) ?? new Map<string, DeviceTensor>()).set(port.layer, value));
  }
  return [...byRole];
}

/**
 * The first resident step under staleness 1: no earlier gradient to apply, so its own stays on the
 * device for the next step (the updates do not run), and so do the parameters and sigma it uploaded
 * (the next step does not upload them again); the readback is the loss alone.
 */
async function firstStaleStep(run: ResidentRun, parts: readonly ExecContext[]): Promise<ResidentOutcome> {
  const ctx = parts.at(-1)!;
  const status = await stepStatus(run.resolved.ops!, parts, []);
  const result = { meanLoss: status.meanLoss, gradients: {}, keptBytes: keptOf(parts) };
  if (!Number.isFinite(status.meanLoss)) return { result, update: 'none' };
  const fresh = new Map<StateRole, Map<string, DeviceTensor>>([
    ['stale-gradient', new Map()],
    ['stale-sigma-gradient', new Map()],
  ]);
  for (const n of ctx.graph.nodes) {
    if (!isUpdate(n) || n.layer === undefined || !n.stale) continue;
    const value = ctx.env.get(updateInputs(n).fresh);
    if (!isDeviceTensor(value)) throw new Error(`runtime: the gradient ${n.id} applies next is on the host`);
    fresh.get(n.target === 'sigma' ? 'stale-sigma-gradient' : 'stale-gradient')!.set(n.layer, value);
  }
  keepOnDevice(run, [...stateInputs(ctx), ...fresh]);
  return { result, update: 'none' };
}

/**
 * A resident step up to its updates, as one context per micro-batch (one for a step of one part). A
 * micro-batched step runs the step graph's instances as the host path does (host-step.ts), each
 * micro-batch's rows sliced on the device from the batch and labels uploaded once, the state uploaded once
 * (where on the host) and shared; the micro-batches' gradients are summed on the device, weighted by rows
 * (micro-batches.ts), into the last context's update inputs.
 */
async function residentGradients(run: ResidentRun, batch: Batch, step: number, rates: Rates): Promise<ExecContext[]> {
  const ops = run.resolved.ops!;
  const whole = run.contexts.graphs.whole(batch.samples);
  const micro = microBatchesOf(whole.meta, batch.samples);
  if (micro.length === 1) {
    const ctx = run.contexts.context(run.contexts.graphs.step(batch.samples), batch, step, rates);
    await uploadStepInputs(ctx, ops);
    await executeGraph(ctx, (n) => !isUpdate(n));
    return [ctx];
  }
  const parts = micro.map((m) => run.contexts.part(batch, m, step, rates));
  await shareStepInputs(ops, whole, parts, batch, micro);
  const nodesOf = parts.map((ctx) => counterparts(whole, ctx.graph));
  for (const { node, micro: m } of stepInstances(whole)) {
    if (isUpdate(node)) continue;
    for (const p of m === undefined ? parts.keys() : [m]) await runNode(parts[p]!, nodesOf[p]!.get(node.id)!);
  }
  const weights = micro.map((m) => m.samples / batch.samples);
  const add = (a: Resident, b: Resident) => run.resolved.device.add({ a, b });
  for (const n of whole.nodes.filter(isUpdate)) {
    const fresh = parts.map((ctx, p) => deviceValue(ctx, updateInputs(nodesOf[p]!.get(n.id) as UpdateNode).fresh));
    const into = updateInputs(nodesOf.at(-1)!.get(n.id) as UpdateNode).fresh;
    parts.at(-1)!.env.set(into, await weightedSumOnDevice(ops, add, fresh, weights));
  }
  return parts;
}

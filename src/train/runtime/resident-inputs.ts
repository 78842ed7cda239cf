// A resident step's host inputs go up to the device once, not with every kernel that reads them: the
// batch (src/ir/host-transfers.ts), and parameters, optimizer state, stale gradients and learned sigma
// still on the host (the run's first step, or the first after a checkpoint was loaded). A micro-batched
// step uploads the batch and its labels once and slices each micro-batch's rows on the device. Not a kernel.
import type { DeviceOps } from '../../../kernels/device-ops.js';
import { isDeviceTensor } from '../../../kernels/device-tensor.js';
import type { MicroBatch } from '../../ir/step-instances.js';
import type { Graph, PortRole } from '../../ir/types.js';
import type { ExecContext } from './exec-context.js';
import { checkLabels } from './exec-loss.js';
import type { Batch } from './step-types.js';
import type { StateRole } from './device-state.js';

/** The roles a resident step's outputs keep on the device for the next step. */
export const RESIDENT_ROLES: readonly StateRole[] = [
  'params',
  'optimizer-state',
  'stale-gradient',
  'sigma',
  'sigma-optimizer-state',
  'stale-sigma-gradient',
];

/** The input roles a resident step uploads once where they are on the host. */
const UPLOADED_ROLES: ReadonlySet<PortRole> = new Set(['batch', ...RESIDENT_ROLES]);

/** Uploads the context's host inputs of the uploaded roles, once each. */
export async function uploadStepInputs(ctx: ExecContext, ops: DeviceOps): Promise<void> {
  for (const port of ctx.graph.inputs) {
    if (!UPLOADED_ROLES.has(port.role)) continue;
    const value = ctx.env.get(port.tensor);
    if (value !== undefined && !isDeviceTensor(value) && !(value instanceof Uint32Array))
      ctx.env.set(port.tensor, await ops.slice(value, 0, value.length));
  }
}

/**
 * A micro-batched resident step's inputs: the batch and its labels go up once (labels checked) and each
 * micro-batch reads its rows sliced on the device; the state the first micro-batch uploads (where it is
 * on the host) is the others' too.
 */
export async function shareStepInputs(
  ops: DeviceOps,
  whole: Graph,
  parts: readonly ExecContext[],
  batch: Batch,
  micro: readonly MicroBatch[],
): Promise<void> {
  const loss = whole.nodes.find((n) => n.kind === 'Loss');
  if (loss?.kind === 'Loss') checkLabels(batch.labels, loss);
  const x = await ops.slice(batch.x, 0, batch.x.length);
  const labels = await ops.slice(Float32Array.from(batch.labels), 0, batch.labels.length);
  const width = batch.x.length / batch.samples;
  for (const [p, ctx] of parts.entries()) {
    const { firstSample, samples } = micro[p]!;
    for (const port of ctx.graph.inputs.filter((q) => q.role === 'batch'))
      ctx.env.set(port.tensor, await ops.slice(x, firstSample * width, samples * width));
    ctx.deviceLabels = new Map([['rows', await ops.slice(labels, firstSample, samples)]]);
  }
  await uploadStepInputs(parts[0]!, ops);
  const shared = new Map(parts[0]!.graph.inputs.map((q) => [`${q.role}/${q.layer}`, parts[0]!.env.get(q.tensor)]));
  for (const ctx of parts.slice(1))
    for (const port of ctx.graph.inputs) {
      const value = shared.get(`${port.role}/${port.layer}`);
      if (UPLOADED_ROLES.has(port.role) && port.role !== 'batch' && value !== undefined)
        ctx.env.set(port.tensor, value);
    }
}

// The graph executor: walks a compiled step graph's nodes in order and runs each on the chosen
// backend's kernels (one handler per node kind, dispatched exhaustively), reading and writing a
// tensor environment keyed by tensor id. This is the training runtime's only step code: BP, LR,
// ALR, ES and AES differ only in the graph the compiler built. On one machine an AllReduce (one
// participant) moves nothing: the output is the input; a Transfer copies. Tensors may be device
// handles: nodes whose handlers pass them on to kernels (HANDLE_NODES) get them as they are; every
// other node's handle inputs are downloaded (once, cached) before it runs, so its host reads see values.
import { match } from 'ts-pattern';
import type { IrNode } from '../../ir/types.js';
import { isDeviceTensor } from '../../../kernels/device-tensor.js';
import { downloadInputs, type ExecContext } from './exec-context.js';
import { add, batchNorm, biasAct, conv2d, matMul, pool } from './exec-forward.js';
import { gradProduct } from './exec-gradient.js';
import { layerNorm, softmax, tokenOp } from './exec-tokens.js';
import { loss, lossBroadcast, reduce } from './exec-loss.js';
import { noiseInject, signPack } from './exec-noise.js';
import { sigmaGrad } from './exec-sigma.js';
import { optimizerUpdate } from './exec-update.js';
import { forwardCopiesOnDevice } from './exec-copies-device.js';
import { tokenCopiesOnDevice } from './exec-token-copies-device.js';
import {
  perCopyLossOnDevice,
  signPackOnDevice,
  weightGradientOnDevice,
  weightNoiseOnDevice,
} from './exec-weight-noise.js';

/** Node kinds whose handlers take handle inputs themselves (arg / hostNum), or only move them. */
const HANDLE_NODES: ReadonlySet<IrNode['kind']> = new Set([
  'MatMul',
  'NoiseInject',
  'BiasAct',
  'Loss',
  'LossBroadcast',
  'Reduce',
  'GradProduct',
  'AllReduce',
  'Transfer',
  'OptimizerUpdate',
]);

/** Node kinds whose handlers keep handles on the device where the step's state stays there (ctx.ops). */
const STATE_HANDLE_NODES: ReadonlySet<IrNode['kind']> = new Set([
  'Conv2d',
  'Pool',
  'BatchNorm',
  'Add',
  'LayerNorm',
  'Softmax',
  'TokenOp',
  'SigmaGrad',
  'SignPack',
]);

/** The device path where it takes the node (ES/AES: exec-copies-device.ts, exec-weight-noise.ts), else `other`. */
async function deviceFirst(device: Promise<boolean>, other: () => Promise<void> | void): Promise<void> {
  if (!(await device)) await other();
}

/** AllReduce with the rows already summed on one device: the output is the input. */
function identity(ctx: ExecContext, node: IrNode): void {
  const [input] = node.inputs;
  for (const out of node.outputs) if (input !== undefined && ctx.env.has(input)) ctx.env.set(out, ctx.env.get(input)!);
}

/**
 * A Transfer between stages is a real copy: the reading stage never shares the producer's buffer.
 * A device tensor is copied on the device (a one-copy copy-sum), so it stays resident.
 */
async function transfer(ctx: ExecContext, node: IrNode): Promise<void> {
  const value = ctx.env.get(node.inputs[0]!);
  if (value === undefined) return;
  const copy = isDeviceTensor(value)
    ? await ctx.device['copy-sum']({ x: value, samples: 1, copies: 1, width: value.length })
    : value.slice();
  ctx.env.set(node.outputs[0]!, copy);
}

export async function executeNode(ctx: ExecContext, node: IrNode): Promise<void> {
  const handles = HANDLE_NODES.has(node.kind) || (ctx.ops !== undefined && STATE_HANDLE_NODES.has(node.kind));
  if (!handles) await downloadInputs(ctx, node.inputs);
  return match(node)
    .with({ kind: 'MatMul' }, (n) => deviceFirst(forwardCopiesOnDevice(ctx, n), () => matMul(ctx, n)))
    .with({ kind: 'Conv2d' }, (n) => deviceFirst(forwardCopiesOnDevice(ctx, n), () => conv2d(ctx, n)))
    .with({ kind: 'BiasAct' }, (n) => deviceFirst(forwardCopiesOnDevice(ctx, n), () => biasAct(ctx, n)))
    .with({ kind: 'BatchNorm' }, (n) => deviceFirst(forwardCopiesOnDevice(ctx, n), () => batchNorm(ctx, n)))
    .with({ kind: 'Pool' }, (n) => pool(ctx, n))
    .with({ kind: 'Add' }, (n) => add(ctx, n))
    .with({ kind: 'NoiseInject' }, (n) => deviceFirst(weightNoiseOnDevice(ctx, n), () => noiseInject(ctx, n)))
    .with({ kind: 'SignPack' }, (n) => deviceFirst(signPackOnDevice(ctx, n), () => signPack(ctx, n)))
    .with({ kind: 'Loss' }, (n) => loss(ctx, n))
    .with({ kind: 'LossBroadcast' }, (n) => lossBroadcast(ctx, n))
    .with({ kind: 'Reduce' }, (n) =>
      deviceFirst(n.inputs.length === 1 ? perCopyLossOnDevice(ctx, n) : Promise.resolve(false), () => reduce(ctx, n)),
    )
    .with({ kind: 'GradProduct' }, (n) =>
      deviceFirst(n.space === 'weight' ? weightGradientOnDevice(ctx, n) : Promise.resolve(false), () =>
        gradProduct(ctx, n),
      ),
    )
    .with({ kind: 'SigmaGrad' }, (n) => sigmaGrad(ctx, n))
    .with({ kind: 'OptimizerUpdate' }, (n) => optimizerUpdate(ctx, n))
    .with({ kind: 'Transfer' }, (n) => transfer(ctx, n))
    .with({ kind: 'LayerNorm' }, (n) => deviceFirst(tokenCopiesOnDevice(ctx, n), () => layerNorm(ctx, n)))
    .with({ kind: 'Softmax' }, (n) => softmax(ctx, n))
    .with({ kind: 'TokenOp' }, (n) => deviceFirst(tokenCopiesOnDevice(ctx, n), () => tokenOp(ctx, n)))
    .with({ kind: 'AllReduce' }, (n) => identity(ctx, n))
    .exhaustive();
}

export interface NodeProfile {
  op: IrNode['kind'];
  /** Milliseconds summed over `calls` runs of the node. */
  ms: number;
  calls: number;
}

async function timedNode(ctx: ExecContext, node: IrNode, profile: Map<string, NodeProfile>): Promise<void> {
  const started = performance.now();
  await executeNode(ctx, node);
  const entry = profile.get(node.id) ?? { op: node.kind, ms: 0, calls: 0 };
  entry.ms += performance.now() - started;
  entry.calls++;
  profile.set(node.id, entry);
}

/** Runs one node, timed when ctx.profile is set. */
export async function runNode(ctx: ExecContext, node: IrNode): Promise<void> {
  if (ctx.profile) await timedNode(ctx, node, ctx.profile);
  else await executeNode(ctx, node);
}

/** Runs the graph's nodes that `select` accepts (default: all), in graph order. */
export async function executeGraph(ctx: ExecContext, select: (node: IrNode) => boolean = () => true): Promise<void> {
  for (const node of ctx.graph.nodes) if (select(node)) await runNode(ctx, node);
}

// Graph-executor handler of SigmaGrad: learned sigma's gradient for one layer, from the layer's float
// noise (kept, or regenerated after the loss), its pass's baselined loss and its sigma (host-ops).
import type { IrNode } from '../../ir/types.js';
import { channelsSpatial, num, type ExecContext } from './exec-context.js';
import { sigmaOf } from './exec-noise.js';
import { sigmaGradientSum } from './host-ops.js';

export function sigmaGrad(ctx: ExecContext, node: Extract<IrNode, { kind: 'SigmaGrad' }>): void {
  const [noise, loss] = node.inputs as [string, string];
  const dims = channelsSpatial(ctx, noise);
  ctx.env.set(
    node.outputs[0]!,
    sigmaGradientSum(num(ctx, noise), num(ctx, loss), sigmaOf(ctx, node, dims.channels), dims, node.normaliser),
  );
}

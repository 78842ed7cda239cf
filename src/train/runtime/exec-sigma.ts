// Graph-executor handler of SigmaGrad: learned sigma's gradient for one layer, from the layer's float
// noise (kept, or regenerated after the loss), its pass's baselined loss and its sigma, as the
// registered kernel sigma-gradient.
import type { IrNode } from '../../ir/types.js';
import { channelsSpatial, num, toF64, type ExecContext } from './exec-context.js';
import { sigmaOf } from './exec-noise.js';

export async function sigmaGrad(ctx: ExecContext, node: Extract<IrNode, { kind: 'SigmaGrad' }>): Promise<void> {
  const [noise, loss] = node.inputs as [string, string];
  const dims = channelsSpatial(ctx, noise);
  const sigma = sigmaOf(ctx, node, dims.channels);
  const args = { eps: num(ctx, noise), loss: num(ctx, loss), sigma, ...dims, normaliser: node.normaliser };
  const perChannel = toF64(await ctx.kernels['sigma-gradient'](args));
  // A token sequence's channels are (token, feature) pairs: each feature's sigma gets the sum over its tokens.
  const folded = new Float64Array(node.channels);
  perChannel.forEach((g, c) => (folded[c % node.channels]! += g));
  ctx.env.set(node.outputs[0]!, folded);
}

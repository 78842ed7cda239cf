// Graph-executor handler of SigmaGrad: learned sigma's gradient for one layer, from the layer's float
// noise (kept, or regenerated after the loss), its pass's baselined loss and its sigma, as the
// registered kernel sigma-gradient.
import type { IrNode } from '../../ir/types.js';
import { arg, channelsSpatial, downloadInputs, num, toF64, type ExecContext } from './exec-context.js';
import { hostSigmaOf, residentSigma } from './exec-noise.js';

export async function sigmaGrad(ctx: ExecContext, node: Extract<IrNode, { kind: 'SigmaGrad' }>): Promise<void> {
  const [noise, loss] = node.inputs as [string, string];
  const dims = channelsSpatial(ctx, noise);
  // Resident steps: one value per channel stays on the device (a token layer's per-token sums fold on the host).
  if (ctx.ops && dims.channels === node.channels) {
    const sigma = await residentSigma(ctx, node, dims.channels);
    const args = { eps: arg(ctx, noise), loss: arg(ctx, loss), sigma, ...dims, normaliser: node.normaliser };
    ctx.env.set(node.outputs[0]!, await ctx.device['sigma-gradient'](args));
    return;
  }
  await downloadInputs(ctx, [noise, loss]);
  const sigma = await hostSigmaOf(ctx, node, dims.channels);
  const args = { eps: num(ctx, noise), loss: num(ctx, loss), sigma, ...dims, normaliser: node.normaliser };
  const perChannel = toF64(await ctx.kernels['sigma-gradient'](args));
  // A token sequence's channels are (token, feature) pairs: each feature's sigma gets the sum over its tokens.
  const folded = new Float64Array(node.channels);
  perChannel.forEach((g, c) => (folded[c % node.channels]! += g));
  // A resident step keeps every sigma gradient on the device (its update, a stale buffer or a
  // micro-batch sum reads it there).
  ctx.env.set(node.outputs[0]!, ctx.ops ? await ctx.ops.slice(folded, 0, folded.length) : folded);
}

// Expansion for the hybrids (Hybrid: BP and LR; A-Hybrid: BP and ALR). The BP layers (--bp-layers)
// get exact gradients: the clean forward chain, its loss gradient, and a backward chain that
// computes weight gradients for the BP layers only and stops at the first of them (dead-code
// removal drops the dx chain below it). The other layers are trained as LR/ALR train them: noise on
// their pre-activations in one noisy pass on N*K rows, the baselined loss broadcast to them, one
// gradient product each, the noisy pass reusing the clean chain up to the first perturbed layer.
// Both parts read the same input; the fold pass runs the whole BP part, being copy-invariant, on N rows.
import type { Graph } from '../ir/types.js';
import { selectBpLayers } from '../models/bp-layers.js';
import type { Layer, Network } from '../models/layers.js';
import { BackwardEmitter } from './expand-bp.js';
import {
  cleanChain,
  lossSize,
  removeDeadCode,
  startExpansion,
  type ExpandContext,
  type ExpandOptions,
} from './expand-common.js';
import { allNoisy, containsLayer, lrGradients } from './expand-lr.js';
import type { MethodRules } from './methods/rules.js';

/** The clean chain's loss and d loss / d logits (a BP Loss node) on the input's rows. */
function cleanLossGradient(ctx: ExpandContext, logits: string, rows: number): string {
  const { b } = ctx;
  const size = lossSize(ctx);
  const perRow = size.tokens === undefined ? [size.classes] : [size.tokens, size.classes];
  const loss = b.tensor({ id: 'clean/loss', shape: [rows], dtype: b.floatDtype, cls: 'loss' });
  const dlogits = b.tensor({
    id: 'clean/loss.dlogits',
    shape: [rows, ...perRow],
    dtype: b.floatDtype,
    cls: 'gradient',
  });
  b.node({
    id: 'clean/loss.ce',
    kind: 'Loss',
    phase: 'loss',
    inputs: [logits, 'labels'],
    outputs: [loss, dlogits],
    rows,
    ...size,
  });
  return dlogits;
}

export function expandHybrid(network: Network, options: ExpandOptions, rules: MethodRules): Graph {
  const rows = options.batch * options.copies;
  const ctx = startExpansion(network, options, rows, rules);
  const bp = new Set(selectBpLayers(network, options.bpLayers));
  const clean = cleanChain(ctx);
  const dlogits = cleanLossGradient(ctx, clean.logits, rows);
  new BackwardEmitter(ctx, clean.emitter, rows, (l) => bp.has(l.name)).sequence(network.layers, dlogits);
  const lrLayers = ctx.layers.filter((l) => !bp.has(l.name));
  // The noisy pass reads the clean chain's outputs up to the first perturbed layer (no noise before it).
  let reached = false;
  const reuse = (layer: Layer): string | undefined => {
    reached ||= containsLayer(layer, lrLayers[0]!.name);
    return reached ? undefined : clean.emitter.layerOutput.get(layer.name);
  };
  lrGradients(ctx, allNoisy(ctx, rows, clean.batchStats, lrLayers, reuse));
  return removeDeadCode(ctx.b.build());
}

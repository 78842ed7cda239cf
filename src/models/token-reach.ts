// Token reachability: which tokens of each layer's output can change the loss. Walking the network
// backwards from the loss, a per-token layer (linear on a sequence, LayerNorm, an activation, the
// position table, a residual add) passes the reached tokens through unchanged, class-pool reaches token
// 0 only, attention reaches every token (a causal one: every token up to the last reached one),
// class-token shifts the tokens by one, and anything else (pooling over positions, conv, flatten,
// mean-pool) is taken to reach everything. Where a parametrised layer's output has tokens that cannot
// reach the loss, LR/ALR noise there never changes the loss, so its term in the layer's estimate has
// expectation zero: the estimators drop it (the error signal is zero on those tokens), which keeps the
// estimate unbiased and lowers its variance. In a ViT this is every layer after the last attention.
import { isActivationLayer, type Layer, type Network } from './layers.js';
import { inferShapes } from './shapes.js';

/** The tokens of a layer's [tokens, features] output that reach the loss (the others are dropped). */
export interface LiveTokens {
  tokens: number;
  features: number;
  /** Increasing token indices, fewer than `tokens`. */
  live: number[];
}

/** Reached tokens of one tensor: a set, or null for all of them (and for tensors that are not token sequences). */
type Reach = ReadonlySet<number> | null;

/** Layers that map each token to itself: their input's reach is their output's. */
const perToken: ReadonlySet<string> = new Set(['linear', 'layernorm', 'position-embedding']);
/** Parametrised layers whose [tokens, features] output takes LR/ALR noise per (token, feature). */
const tokenNoisy: ReadonlySet<string> = new Set(['linear', 'layernorm', 'class-token', 'position-embedding']);

function union(a: Reach, b: Reach): Reach {
  return a === null || b === null ? null : new Set([...a, ...b]);
}

/** The reached tokens of a layer's input, given those of its output. */
function inputReach(layer: Layer, out: Reach, record: (layer: Layer, reach: Reach) => void): Reach {
  switch (layer.kind) {
    case 'class-pool':
      return new Set([0]);
    case 'attention':
      if (out === null || !layer.causal) return null;
      return new Set(Array.from({ length: Math.max(-1, ...out) + 1 }, (_, t) => t));
    case 'class-token':
      return out === null ? null : new Set([...out].filter((t) => t > 0).map((t) => t - 1));
    case 'residual': {
      const body = sequenceReach(layer.body, out, record);
      return union(body, layer.shortcut ? sequenceReach(layer.shortcut, out, record) : out);
    }
    default:
      return perToken.has(layer.kind) || isActivationLayer(layer) ? out : null;
  }
}

/** Walks `layers` backwards from their output's reach, recording each layer's output reach; returns the input's. */
function sequenceReach(layers: readonly Layer[], out: Reach, record: (layer: Layer, reach: Reach) => void): Reach {
  let reach = out;
  for (const layer of [...layers].reverse()) {
    record(layer, reach);
    reach = inputReach(layer, reach, record);
  }
  return reach;
}

/**
 * Per parametrised layer whose output is a token sequence with tokens that cannot reach the loss: those
 * that can. Layers absent from the map reach the loss everywhere. The loss reads every value of the
 * last layer's output.
 */
export function liveTokensOf(network: Network): Map<string, LiveTokens> {
  const shapes = inferShapes(network);
  const live = new Map<string, LiveTokens>();
  sequenceReach(network.layers, null, (layer, reach) => {
    const output = shapes.get(layer.name)!.output;
    if (reach === null || !tokenNoisy.has(layer.kind) || output.length !== 2) return;
    const [tokens, features] = output as [number, number];
    if (reach.size >= tokens) return;
    live.set(layer.name, { tokens, features, live: [...reach].sort((a, b) => a - b) });
  });
  return live;
}

/** Zeroes, in place, the values of `rows` rows of [tokens, features] on the tokens that cannot reach the loss. */
export function zeroUnreachable<T extends Float32Array | Float64Array>(values: T, live: LiveTokens): T {
  const { tokens, features } = live;
  const width = tokens * features;
  const kept = new Set(live.live);
  const dropped = Array.from({ length: tokens }, (_, t) => t).filter((t) => !kept.has(t));
  for (let row = 0; row < values.length / width; row++)
    for (const t of dropped) values.fill(0, row * width + t * features, row * width + (t + 1) * features);
  return values;
}

// Index maps of the token rearrangements, for the `gather` kernel (out[i] = x[index[i]], -1 reads 0),
// built once per (op, direction, sizes) and kept. Layouts: a sequence is [rows, tokens, features];
// a feature map [rows, channels, positions]; attention heads [rows * heads, tokens, features / heads]
// (group r * heads + h), split from Q | K | V [rows, tokens, 3 * features] (part p, head h, column j at
// p * features + h * d + j). Not a kernel: host layout arithmetic only.
export interface SequenceDims {
  rows: number;
  tokens: number;
  features: number;
  heads?: number;
}

const cache = new Map<string, Int32Array>();

function cached(key: string, length: number, at: (i: number) => number): Int32Array {
  let hit = cache.get(key);
  if (!hit) {
    if (cache.size > 256) cache.clear();
    hit = Int32Array.from({ length }, (_, i) => at(i));
    cache.set(key, hit);
  }
  return hit;
}

const keyOf = (name: string, d: SequenceDims, extra = ''): string =>
  `${name}|${d.rows}|${d.tokens}|${d.features}|${d.heads ?? 1}|${extra}`;

/** [rows, features, tokens] to [rows, tokens, features] (forward: channels to features), or back. */
export function transposeIndex(d: SequenceDims, back: boolean): Int32Array {
  const { rows, tokens: T, features: F } = d;
  return cached(keyOf('transpose', d, String(back)), rows * T * F, (i) => {
    const r = Math.floor(i / (T * F));
    if (back) {
      const [f, t] = [Math.floor(i / T) % F, i % T];
      return (r * T + t) * F + f;
    }
    const [t, f] = [Math.floor(i / F) % T, i % F];
    return (r * F + f) * T + t;
  });
}

/** Class token: [rows, T - 1, F] then the token's F values, to [rows, T, F]; back: dy minus token 0. */
export function classTokenIndex(d: SequenceDims, back: boolean): Int32Array {
  const { rows, tokens: T, features: F } = d;
  if (back)
    return cached(
      keyOf('class-token', d, 'back'),
      rows * (T - 1) * F,
      (i) => i + (Math.floor(i / ((T - 1) * F)) + 1) * F,
    );
  return cached(keyOf('class-token', d), rows * T * F, (i) => {
    const [r, t, f] = [Math.floor(i / (T * F)), Math.floor(i / F) % T, i % F];
    return t === 0 ? rows * (T - 1) * F + f : (r * (T - 1) + t - 1) * F + f;
  });
}

/** Class pool: token 0 of each row; back: dy at token 0, zeros elsewhere. */
export function classPoolIndex(d: SequenceDims, back: boolean): Int32Array {
  const { rows, tokens: T, features: F } = d;
  if (back)
    return cached(keyOf('class-pool', d, 'back'), rows * T * F, (i) =>
      Math.floor(i / F) % T === 0 ? Math.floor(i / (T * F)) * F + (i % F) : -1,
    );
  return cached(keyOf('class-pool', d), rows * F, (i) => Math.floor(i / F) * T * F + (i % F));
}

/** Mean pool's backward: each token reads its row's dy (the gather scales by 1 / T). */
export function broadcastTokensIndex(d: SequenceDims): Int32Array {
  const { rows, tokens: T, features: F } = d;
  return cached(keyOf('broadcast', d), rows * T * F, (i) => Math.floor(i / (T * F)) * F + (i % F));
}

/**
 * Head split of part p of [rows, T, parts * F] into [rows * H, T, F / H] (parts 3: Q | K | V; parts 1:
 * a merged sequence, the merge's backward).
 */
export function splitHeadsIndex(d: SequenceDims, part: number, parts: number): Int32Array {
  const { rows, tokens: T, features: F } = d;
  const H = d.heads ?? 1;
  const dh = F / H;
  return cached(keyOf('split', d, `${part}/${parts}`), rows * T * F, (i) => {
    const [g, t, j] = [Math.floor(i / (T * dh)), Math.floor(i / dh) % T, i % dh];
    const [r, h] = [Math.floor(g / H), g % H];
    return (r * T + t) * parts * F + part * F + h * dh + j;
  });
}

/**
 * Heads joined: `parts` head tensors [rows * H, T, F / H], concatenated, to [rows, T, parts * F] (parts
 * 1: the merge; parts 3: d(Q | K | V) from dQ, dK, dV).
 */
export function mergeHeadsIndex(d: SequenceDims, parts: number): Int32Array {
  const { rows, tokens: T, features: F } = d;
  const H = d.heads ?? 1;
  const dh = F / H;
  const partLength = rows * T * F;
  return cached(keyOf('merge', d, String(parts)), rows * T * parts * F, (i) => {
    const [r, t, c] = [Math.floor(i / (T * parts * F)), Math.floor(i / (parts * F)) % T, i % (parts * F)];
    const [p, h, j] = [Math.floor(c / F), Math.floor((c % F) / dh), c % dh];
    return p * partLength + ((r * H + h) * T + t) * dh + j;
  });
}

/** Identity on the tokens that reach the loss, -1 (reads 0) on the others: `rows` rows of [tokens, features]. */
export function liveTokensIndex(live: { tokens: number; features: number; live: readonly number[] }, rows: number) {
  const { tokens: T, features: F } = live;
  const kept = new Set(live.live);
  return cached(keyOf('live-tokens', { rows, tokens: T, features: F }, live.live.join(',')), rows * T * F, (i) =>
    kept.has(Math.floor(i / F) % T) ? i : -1,
  );
}

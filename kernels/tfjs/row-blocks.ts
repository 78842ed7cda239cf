// How the tfjs-wasm worker pool cuts a kernel call into contiguous row blocks: a pure function of
// (rows, parts, granule), so a given shape always splits the same way whatever the load (results
// must not depend on which thread finished first). Not the pool itself (tfjs-worker-pool.ts).

export interface RowBlock {
  /** First row of the block. */
  r0: number;
  /** One past the last row. */
  r1: number;
}

/**
 * Rows [0, rows) in at most `parts` non-empty contiguous blocks, as even as whole granules allow;
 * every block but the last starts and ends on a multiple of `granule` (noise-inject-signs needs
 * blocks that begin at a packed 32-bit sign word). Zero rows give no blocks.
 */
export function rowBlocks(rows: number, parts: number, granule = 1): RowBlock[] {
  const granules = Math.ceil(rows / granule);
  const p = Math.max(1, Math.min(parts, granules));
  const blocks: RowBlock[] = [];
  for (let i = 0; i < p; i++) {
    const r0 = Math.min(rows, Math.floor((granules * i) / p) * granule);
    const r1 = Math.min(rows, Math.floor((granules * (i + 1)) / p) * granule);
    if (r1 > r0) blocks.push({ r0, r1 });
  }
  return blocks;
}

/** Rows per granule so that a block of whole granules of `units`-long rows fills whole 32-bit words. */
export function signWordGranule(units: number): number {
  let g = 32;
  let u = units;
  while (u % 2 === 0 && g > 1) {
    u /= 2;
    g /= 2;
  }
  return g;
}

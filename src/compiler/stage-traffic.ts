// Staging through the memory levels: a task's access to a tensor that lives on level P moves level by
// level (P -> P-1 -> ... -> 0 for a read, the other way for a write), and this file says how many
// bytes cross each boundary. A GEMM operand that the levels below a boundary cannot hold whole is
// tiled there, output-stationary: an output tile of tm x tn words stays below the boundary while
// K streams through it one column of A and one row of B at a time, so the tile needs
// tm tn + tm + tn words, and A (m x k) crosses once per column of tiles (ceil(n / tn) times), B
// (k x n) once per row of tiles (ceil(m / tm) times), and the output once. The tile is square,
// T = floor(sqrt(W + 1)) - 1 for a budget of W words (T^2 + 2T <= W), clipped to m, with the rest
// of the budget going to tn. The budget below a boundary into a per-core level is what the core's
// levels up to it hold together (a double-buffered level half its capacity: the other half fills
// behind compute), as a GPU keeps an output tile in registers and stages operand slices in shared
// memory. A boundary into a chip-wide level (an L2 shared by every core) moves each byte a task reads
// once at most: the shared level serves the inner tiles' re-reads, and where several tasks of one
// node read the same operand block (the cores of one row of a GEMM's output grid share a row block
// of A), it is fetched into the shared level once for all of them: each reader's crossing is scaled
// by `chipShare`, the tensor's bytes over the bytes its readers read (at most 1; sim/units/memory.ts).
// Vector work, transfers and outputs cross each boundary once.
import type { HwModel } from '../hw/types.js';
import type { IrNode, Work } from '../ir/types.js';

/** Which operand of a GEMM a tensor is: a spans the output's rows (m), b its columns (n); once: anything else. */
export type OperandRole = 'a' | 'b' | 'once';

/**
 * MatMul and Conv2d read [x, W]: x is A (m x k), W is B (k x n). A gradient product dW = D^T X
 * reads [x, dy]: dy carries the output's rows (A), x its columns (B).
 */
export function operandRole(node: IrNode, tensor: string): OperandRole {
  if (node.kind === 'MatMul' || node.kind === 'Conv2d')
    return tensor === node.inputs[0] ? 'a' : tensor === node.inputs[1] ? 'b' : 'once';
  if (node.kind === 'GradProduct') return tensor === node.inputs[1] ? 'a' : tensor === node.inputs[0] ? 'b' : 'once';
  return 'once';
}

/** Words the core's levels 0..inner hold together for a tile (per-core levels only; double-buffered ones count half). */
export function tileBudgetWords(hw: HwModel, inner: number): number {
  let bytes = 0;
  for (let j = 0; j <= inner && j < hw.memory.length; j++) {
    const level = hw.memory[j]!;
    if (level.scope === 'core') bytes += level.doubleBuffered ? level.capacityBytes / 2 : level.capacityBytes;
  }
  return Math.floor(bytes / hw.wordBytes);
}

/** The output-stationary tile of an m x n output in a budget of W words: tm tn + tm + tn <= W. */
export function outputTile(m: number, n: number, budgetWords: number): { tm: number; tn: number } {
  const side = Math.max(1, Math.floor(Math.sqrt(budgetWords + 1)) - 1);
  const tm = Math.max(1, Math.min(m, side));
  const tn = Math.max(1, Math.min(n, Math.floor((budgetWords - tm) / (tm + 1))));
  return { tm, tn };
}

/** How many times an operand crosses a boundary below which `budgetWords` are held. */
export function reuseFactor(work: Work, role: OperandRole, budgetWords: number): number {
  if (work.kind !== 'gemm' || role === 'once') return 1;
  const { tm, tn } = outputTile(work.m, work.n, budgetWords);
  return role === 'a' ? Math.ceil(work.n / tn) : Math.ceil(work.m / tm);
}

/**
 * Bytes of one access crossing each boundary between its home level and the core: entry j is the
 * boundary from level j + 1 into level j, for j = home - 1 down to 0 (empty when it lives on level 0).
 */
export function stagedBytes(
  hw: HwModel,
  work: Work,
  role: OperandRole,
  bytes: number,
  home: number,
  chipShare = 1,
): number[] {
  const out: number[] = [];
  for (let j = 0; j < home; j++)
    out.push(
      hw.memory[j]!.scope === 'core' ? bytes * reuseFactor(work, role, tileBudgetWords(hw, j)) : bytes * chipShare,
    );
  return out;
}

// The hints an infeasible mapping prints: option sets (fewer copies, a smaller batch, more
// micro-batches, another noise storage) that the option checker accepts and that compile feasibly,
// each re-checked by compiling it before it is offered. One dimension at a time first, the
// smallest change that fits (starting from the shortfall's ratio, halving or doubling from there);
// when no single change fits, one combination. `--json` carries them as option sets.
import type { HwModel } from '../hw/types.js';
import type { Network } from '../models/layers.js';
import { compile } from './compile.js';
import { resolveCompileOptions } from './compile-options.js';
import type { CompileOptions } from './types.js';
import { methodOf } from './methods/registry.js';
import { usesCopies } from './methods/rules.js';

/** One hint: the options to change and their new values. */
export type Hint = Partial<Pick<CompileOptions, 'copies' | 'batch' | 'microBatches' | 'noiseStorage'>>;

const flags: Record<keyof Hint, string> = {
  copies: '--copies',
  batch: '--batch',
  microBatches: '--micro-batches',
  noiseStorage: '--noise-storage',
};

/** Compiles are the cost: a handful per dimension at most. */
const triesPerDimension = 4;

/** Whether the options with `hint` applied pass the checker and compile feasibly. */
function fits(network: Network, hw: HwModel, o: CompileOptions, hint: Hint): boolean | undefined {
  let options: CompileOptions;
  try {
    options = resolveCompileOptions({ ...o, ...hint });
  } catch {
    return undefined;
  }
  return compile(network, hw, options).feasibility.ok;
}

/** Powers of two at or below `value / overBy` (or `value / 2`), falling: the values worth trying for a shrinking option. */
function shrinking(value: number, overBy: number): number[] {
  const start = Math.max(1, Math.min(Math.floor(value / 2), 2 ** Math.floor(Math.log2(value / Math.max(overBy, 1)))));
  const out: number[] = [];
  for (let v = start; v >= 1 && out.length < triesPerDimension; v = Math.floor(v / 2)) out.push(v);
  return out;
}

function singleChanges(o: CompileOptions, overBy: number): Hint[][] {
  const batchHint = (batch: number): Hint => (o.microBatches > batch ? { batch, microBatches: batch } : { batch });
  const doubled = Array.from({ length: triesPerDimension }, (_, i) => o.microBatches * 2 ** (i + 1)).filter(
    (m) => m <= o.batch,
  );
  return [
    usesCopies(methodOf(o.method)) && o.copies > 1 ? shrinking(o.copies, overBy).map((copies) => ({ copies })) : [],
    o.batch > 1 ? shrinking(o.batch, overBy).map(batchHint) : [],
    doubled.map((microBatches) => ({ microBatches })),
    ...(!usesCopies(methodOf(o.method))
      ? []
      : (['sign-bits', 'regenerate'] as const)
          .filter((s) => s !== o.noiseStorage)
          .map((noiseStorage) => [{ noiseStorage }])),
  ];
}

/** Option sets checked to compile feasibly; empty when none was found within the tries. */
export function checkedHints(network: Network, hw: HwModel, o: CompileOptions, overBy: number): Hint[] {
  const out: Hint[] = [];
  for (const tries of singleChanges(o, overBy)) {
    const found = tries.find((hint) => fits(network, hw, o, hint) === true);
    if (found) out.push(found);
  }
  if (out.length > 0) return out;
  // No single change fits: regenerated noise (where allowed) with copies, then the batch, shrunk together.
  const storage: Hint =
    !usesCopies(methodOf(o.method)) || fits(network, hw, o, { noiseStorage: 'regenerate' }) === undefined
      ? {}
      : { noiseStorage: 'regenerate' };
  for (let f = 2; f <= 2 ** 12; f *= 2) {
    const hint: Hint = {
      ...storage,
      ...(usesCopies(methodOf(o.method)) && o.copies > 1 ? { copies: Math.max(1, Math.floor(o.copies / f)) } : {}),
      batch: Math.max(1, Math.floor(o.batch / f)),
    };
    if (o.microBatches > hint.batch!) hint.microBatches = hint.batch!;
    if (fits(network, hw, o, hint) === true) return [hint];
    if (hint.batch === 1 && (hint.copies ?? 1) === 1) break;
  }
  return [];
}

/** `hint: try --copies 2048, --batch 16, or a hardware model with more memory (each option set was compiled and fits)`. */
export function hintText(hints: readonly Hint[]): string {
  const tries = hints.map((h) =>
    (Object.entries(h) as [keyof Hint, string | number][]).map(([k, v]) => `${flags[k]} ${v}`).join(' '),
  );
  if (tries.length === 0)
    return 'hint: no smaller copies, batch, micro-batches or noise storage fits; try a hardware model with more memory';
  return `hint: try ${tries.join(', ')}, or a hardware model with more memory (each option set was compiled and fits)`;
}

// The hints an infeasible mapping prints: concrete option changes that would shrink what must be
// kept (fewer copies, a smaller batch, more micro-batches, a smaller noise storage), each one checked
// with resolveCompileOptions so a hint never suggests a value the option checker refuses (no
// --micro-batches for a sequential schedule, no sign bits for LR, nothing already in force).
import { resolveCompileOptions } from './compile-options.js';
import type { CompileOptions } from './types.js';

/** One suggestion: the flags to change, with the values to give them. */
export type Suggestion = Array<{ flag: string; value: string; option: keyof CompileOptions }>;

function candidates(o: CompileOptions): Suggestion[] {
  const out: Suggestion[] = [];
  if (o.method !== 'bp' && o.copies > 1) out.push([{ flag: '--copies', value: String(Math.floor(o.copies / 2)), option: 'copies' }]);
  if (o.batch > 1) {
    const batch = Math.floor(o.batch / 2);
    out.push(o.microBatches > batch
      ? [{ flag: '--batch', value: String(batch), option: 'batch' }, { flag: '--micro-batches', value: String(batch), option: 'microBatches' }]
      : [{ flag: '--batch', value: String(batch), option: 'batch' }]);
  }
  if (o.microBatches > 1 || o.microBatches * 2 <= o.batch) out.push([{ flag: '--micro-batches', value: String(o.microBatches * 2), option: 'microBatches' }]);
  for (const storage of ['sign-bits', 'regenerate'] as const) {
    if (o.method !== 'bp' && o.noiseStorage !== storage) out.push([{ flag: '--noise-storage', value: storage, option: 'noiseStorage' }]);
  }
  return out;
}

/** Applies a suggestion to resolved options (numbers parsed back), as the CLI would after the rerun. */
function applySuggestion(o: CompileOptions, s: Suggestion): CompileOptions {
  const next: Record<string, unknown> = { ...o };
  for (const { option, value } of s) next[option] = /^\d+$/.test(value) ? Number(value) : value;
  return next as unknown as CompileOptions;
}

/** The suggestions the option checker accepts for these options. */
function infeasibleSuggestions(o: CompileOptions): Suggestion[] {
  return candidates(o).filter((s) => {
    try {
      resolveCompileOptions(applySuggestion(o, s));
      return true;
    } catch {
      return false;
    }
  });
}

/** `hint: try --copies 32, --batch 16, ... or a hardware model with more memory`. */
export function infeasibleHint(o: CompileOptions): string {
  const tries = infeasibleSuggestions(o).map((s) => s.map((c) => `${c.flag} ${c.value}`).join(' '));
  return `hint: try ${[...tries, 'a hardware model with more memory'].join(', ')}`;
}

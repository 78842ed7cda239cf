// A step's parts as the host and resident paths both run them: its updates (run after the gradients),
// each micro-batch's graph matched node by node to the whole step's, and the kept bytes of the parts
// (one micro-batch is live at a time). Not a kernel.
import type { Graph, IrNode } from '../../ir/types.js';
import type { ExecContext } from './exec-context.js';
import { measureKept } from './measure-kept.js';
import type { KeptBytes } from './step-types.js';

export type UpdateNode = Extract<IrNode, { kind: 'OptimizerUpdate' }>;

export const isUpdate = (n: IrNode): n is UpdateNode => n.kind === 'OptimizerUpdate';

/** The largest kept bytes of the step's micro-batches per class (one is live at a time). */
export function keptOf(parts: readonly ExecContext[]): KeptBytes {
  const kept = parts.map(measureKept);
  const out = { ...kept[0]! };
  for (const k of kept)
    for (const cls of Object.keys(out) as (keyof KeptBytes)[]) out[cls] = Math.max(out[cls], k[cls]);
  return out;
}

/** A node's id with its core numbers left out (a Transfer names the first core of the stage it feeds). */
const coreFree = (id: string): string => id.replace(/core\d+/g, 'core*');

/**
 * Each node of the whole step's graph with its counterpart in a micro-batch's graph (compiled for the
 * micro-batch's rows with the step's stage cuts: the same nodes in the same order, though the cores a
 * stage runs on, and so its Transfers' names, may differ).
 */
export function counterparts(whole: Graph, part: Graph): Map<string, IrNode> {
  if (whole === part) return new Map(whole.nodes.map((n) => [n.id, n]));
  const byKey = new Map<string, IrNode[]>();
  for (const n of part.nodes) byKey.set(coreFree(n.id), [...(byKey.get(coreFree(n.id)) ?? []), n]);
  return new Map(
    whole.nodes.map((n) => {
      const own = byKey.get(coreFree(n.id))?.shift();
      if (!own) throw new Error(`runtime: the graph of a micro-batch (${part.meta.batch} rows) has no node ${n.id}`);
      return [n.id, own];
    }),
  );
}

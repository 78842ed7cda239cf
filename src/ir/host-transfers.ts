// Host <-> device transfers of one training step as its graph declares them, for a device whose
// memory is apart from the host and a step that keeps its state there (the runtime's resident
// steps, src/train/runtime/device-state.ts): the batch's inputs go up (the batch port's values and
// the labels, 4 bytes each) and one array comes back, a float per Loss node (its loss sum) and one
// per parameter update and per learned sigma buffer (its count of non-finite values, the divergence
// check). Parameters, optimizer state, learned sigma, activations, noise and gradients (stale ones
// included) stay on the device. Where the runtime does not run the graph resident (a layer or node
// without a device path: resident-graph.ts), `fallback` says why: its steps move more than these (every kernel call's
// host inputs and results).
import { elementCount } from './graph.js';
import { nonResidentReason } from './resident-graph.js';
import type { Graph } from './types.js';

export interface TransferTotals {
  count: number;
  bytes: number;
}

export interface HostTransfers {
  uploads: TransferTotals;
  downloads: TransferTotals;
  /** Each transfer: its direction, what it carries, its bytes. */
  items: { direction: 'upload' | 'download'; what: string; bytes: number }[];
  /** Why the runtime keeps this graph's step state on the host (then it moves more than these); absent when resident. */
  fallback?: string;
}

/** Bytes of one value as it crosses: float32 values, int32 labels. */
const VALUE_BYTES = 4;

export function hostTransfers(graph: Graph): HostTransfers {
  const items: HostTransfers['items'] = [];
  for (const port of graph.inputs) {
    if (port.role !== 'batch' && port.role !== 'labels') continue;
    const bytes = VALUE_BYTES * elementCount(graph.tensors[port.tensor]!.shape);
    items.push({ direction: 'upload', what: port.tensor, bytes });
  }
  const losses = graph.nodes.filter((n) => n.kind === 'Loss').length;
  // A learned sigma's update has its values and optimizer state (if any) checked, a parameter update its
  // values; the gradient a stale update passes on to the next step is not checked.
  const checked = (n: Graph['nodes'][number]): number =>
    n.kind !== 'OptimizerUpdate' ? 0 : n.target === 'sigma' ? n.outputs.length - (n.stale ? 1 : 0) : 1;
  const updates = graph.nodes.map(checked).reduce((a, b) => a + b, 0);
  if (losses + updates > 0)
    items.push({
      direction: 'download',
      what: `status: ${losses} loss sum(s), ${updates} non-finite count(s)`,
      bytes: VALUE_BYTES * (losses + updates),
    });
  const total = (d: 'upload' | 'download'): TransferTotals => {
    const of = items.filter((i) => i.direction === d);
    return { count: of.length, bytes: of.reduce((s, i) => s + i.bytes, 0) };
  };
  const fallback = nonResidentReason(graph);
  return { uploads: total('upload'), downloads: total('download'), items, ...(fallback ? { fallback } : {}) };
}

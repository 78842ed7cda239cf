// Scoring a data split with the current parameters: the BP graph's forward and loss nodes, run in
// chunks of rows, giving the mean loss and the accuracy (arg-max of the logits). Not training: no
// noise, no gradients, no updates.
import { downloadResult } from '../../../kernels/device-tensor.js';
import type { Graph } from '../../ir/types.js';
import { executeGraph } from './execute-graph.js';
import { hostNum, type ExecContext } from './exec-context.js';
import type { Batch } from './step-types.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
}

export interface EvaluationHost {
  /** Input features per sample and classes of the network. */
  width: number;
  classes: number;
  /** The BP graph for `rows` samples. */
  graph(rows: number): Graph;
  context(graph: Graph, batch: Batch): Promise<ExecContext>;
  releaseHandles(): void;
}

function correctRows(logits: ArrayLike<number>, labels: Int32Array, rows: number, classes: number): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[r * classes + c]! > logits[r * classes + best]!) best = c;
    if (best === labels[r]) correct++;
  }
  return correct;
}

/** Mean loss and accuracy over the first `count` samples of a split. */
export async function evaluateSplit(
  host: EvaluationHost,
  features: Float32Array,
  labels: Uint8Array,
  count: number,
  chunk = 500,
): Promise<Evaluation> {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < count; start += chunk) {
    const rows = Math.min(chunk, count - start);
    const x = Float64Array.from(features.subarray(start * host.width, (start + rows) * host.width));
    const batch: Batch = { x, labels: Int32Array.from(labels.subarray(start, start + rows)), samples: rows };
    const ctx = await host.context(host.graph(rows), batch);
    await executeGraph(ctx, (n) => n.phase === 'forward' || n.phase === 'loss');
    const lossNode = ctx.graph.nodes.find((n) => n.kind === 'Loss')!;
    const logits = await hostNum(ctx, lossNode.inputs[0]!);
    const losses = await downloadResult(ctx.losses[0]!);
    host.releaseHandles();
    lossSum += (losses as ArrayLike<number> as number[]).reduce((a, b) => a + b, 0);
    correct += correctRows(logits, batch.labels, rows, host.classes);
  }
  return { loss: lossSum / count, accuracy: correct / count };
}

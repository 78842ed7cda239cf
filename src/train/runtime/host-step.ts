// A step's gradients as the host path runs them: the step graph's node instances (src/ir/step-instances.ts)
// but the updates, each micro-batch's instance run on its rows (the graph compiled for them, same node ids),
// and each micro-batch's gradients, loss and kept bytes read back to the host and summed there weighted by
// rows (micro-batches.ts). The runtime then applies them (runtime.ts). Not a kernel.
import { microBatchesOf, stepInstances } from '../../ir/step-instances.js';
import { downloadResult } from '../../../kernels/device-tensor.js';
import type { ExecContext } from './exec-context.js';
import { runNode } from './execute-graph.js';
import { mean } from './host-ops.js';
import { measureKept } from './measure-kept.js';
import { combineResults } from './micro-batches.js';
import type { Rates, StepContexts } from './step-context.js';
import { hostOutputsOf, outputsOf, splitLayer, widened } from './step-outputs.js';
import { counterparts, isUpdate } from './step-parts.js';
import type { Batch, Params, StepResult } from './step-types.js';

/** A step's last graph context and result; `combined` when summed over several micro-batches. */
export interface StepRun {
  ctx: ExecContext;
  result: StepResult;
  combined: boolean;
}

/** What the host path needs of the run besides its contexts. */
export interface HostRun {
  contexts: StepContexts;
  /** The weights' share of a layer's parameter buffer (weights then biases). */
  layerWeights(layer: string): number;
  learnsSigma: boolean;
}

/**
 * One micro-batch's result: its gradient ports, mean loss and kept bytes. The gradients are widened to
 * float64 when first read: a one-micro-batch training step's update reads the gradient ports themselves
 * and the training loop reads only the loss, so the step no longer copies its gradients to float64 (the
 * MLP's 784 x 256 weights, 1.6 MB a step). The ports' arrays are the kernels' own results, which no
 * later step writes into, so a later read sees the same values.
 */
async function partResult(run: HostRun, ctx: ExecContext): Promise<StepResult> {
  const ports = await hostOutputsOf(ctx, 'gradient');
  let gradients: Params | undefined;
  const widen = (): Params => {
    const all: Params = {};
    for (const [layer, g] of ports) all[layer] = splitLayer(widened(g), run.layerWeights(layer));
    return all;
  };
  const losses = await Promise.all(ctx.losses.map((l) => downloadResult(l)));
  const meanLoss = losses.reduce((s, l) => s + mean(l), 0) / losses.length;
  const sigma = run.learnsSigma ? { sigmaGradients: Object.fromEntries(await outputsOf(ctx, 'sigma-gradient')) } : {};
  return {
    meanLoss,
    get gradients(): Params {
      return (gradients ??= widen());
    },
    keptBytes: measureKept(ctx),
    ...sigma,
  };
}

/**
 * The step's gradients. A per-step instance before the updates (ES's weight noise and gradient product, an
 * all-reduce) runs on every micro-batch's rows: the runtime keeps each micro-batch's gradient a mean over
 * its rows, and the accumulation the graph declares sums them weighted by rows (micro-batches.ts).
 */
export async function hostGradients(run: HostRun, batch: Batch, step: number, rates: Rates): Promise<StepRun> {
  const whole = run.contexts.graphs.whole(batch.samples);
  const parts = microBatchesOf(whole.meta, batch.samples).map((m) => run.contexts.part(batch, m, step, rates));
  const nodesOf = parts.map((ctx) => counterparts(whole, ctx.graph));
  for (const { node, micro } of stepInstances(whole)) {
    if (isUpdate(node)) continue;
    for (const p of micro === undefined ? parts.keys() : [micro]) {
      if (p < parts.length) await runNode(parts[p]!, nodesOf[p]!.get(node.id)!);
    }
  }
  const results: StepResult[] = [];
  for (const ctx of parts) results.push(await partResult(run, ctx));
  const samples = parts.map((ctx) => ctx.labels.length);
  const result = results.length === 1 ? results[0]! : combineResults(results, samples);
  return { ctx: parts.at(-1)!, result, combined: results.length > 1 };
}

// LR and ALR on kernels (METHOD.md 2-3): noise on the pre-activations of the noisy layers, K copies
// folded into the rows (row = sample*K + copy), per-sample baseline, and one gradient product per
// noisy layer from the stored layer input, the stored noise (LR: floats; ALR: sign bits) and the
// loss vector. No backward chain. Layer-wise injection runs one pass per layer with only that
// layer noisy. Copy-invariant inputs (the input of the first noisy layer) stay on N rows.
import type { DenseLayer } from './dense-stack.js';
import { biasActivation, cleanForward, linear } from './forward.js';
import { addScaledNoise, makeAntithetic, mean, replicateRows, subtractBaseline, toF64 } from './host-ops.js';
import { emptyKeptBytes, keptFloatBytes, type Batch, type KeptBytes, type Params, type StepContext, type StepResult } from './step-types.js';

interface Kept {
  layer: DenseLayer;
  /** The layer input, on N rows when copy-invariant, else on N*K rows. */
  x: Float64Array;
  xRows: number;
  /** LR: eps; ALR: +-1 signs unpacked from the packed words. */
  e: Float64Array;
}

const signScale = Math.sqrt(Math.PI / 2);

async function drawNoise(ctx: StepContext, layer: DenseLayer, rows: number): Promise<Float64Array> {
  const cols = layer.outFeatures;
  const eps = toF64(
    await ctx.kernels['noise-inject']({
      z: new Float64Array(rows * cols),
      sigma: new Float64Array(cols).fill(1),
      rows,
      channels: cols,
      spatial: 1,
      seed: ctx.seed,
      step: ctx.step,
      layer: layer.index,
      rowOffset: 0,
    }),
  );
  return ctx.options.antithetic ? makeAntithetic(eps, rows, cols) : eps;
}

/** ALR keeps only the sign words; the +-1 values are unpacked from them when the loss is known. */
async function keepNoise(ctx: StepContext, eps: Float64Array, bytes: KeptBytes): Promise<Float64Array> {
  if (ctx.options.method !== 'alr') {
    bytes.noise += eps.length * keptFloatBytes;
    return eps;
  }
  const words = await ctx.kernels['sign-pack']({ values: eps });
  bytes['sign-bits'] += words.byteLength;
  return Float64Array.from({ length: eps.length }, (_, i) => ((words[i >>> 5]! >>> (i & 31)) & 1 ? 1 : -1));
}

/** Forward from layer `from` (whose clean input is given on N rows) with noise on the `noisy` layers. */
async function perturbedPass(ctx: StepContext, batch: Batch, input: Float64Array, from: number, noisy: (l: number) => boolean, bytes: KeptBytes) {
  const { copies } = ctx.options;
  let x = input;
  let rows = batch.samples;
  const kept: Kept[] = [];
  for (const layer of ctx.layers.slice(from)) {
    const p = ctx.params[layer.name]!;
    let z = await linear(ctx.kernels, layer, p, x, rows);
    if (noisy(layer.index)) {
      if (rows === batch.samples) z = replicateRows(z, rows, layer.outFeatures, copies);
      const eps = await drawNoise(ctx, layer, batch.samples * copies);
      addScaledNoise(z, eps, new Float64Array(layer.outFeatures).fill(ctx.options.sigma), batch.samples * copies, layer.outFeatures);
      bytes.activation += x.length * keptFloatBytes;
      kept.push({ layer, x, xRows: rows, e: await keepNoise(ctx, eps, bytes) });
      rows = batch.samples * copies;
    }
    x = await biasActivation(ctx.kernels, layer, p, z, rows);
  }
  return { logits: x, rows, kept };
}

/** Gradient of one noisy layer from its kept input, kept noise and the baselined losses. */
async function layerGradient(ctx: StepContext, k: Kept, shaped: Float64Array, samples: number): Promise<{ weights: Float64Array; biases: Float64Array }> {
  const { copies, sigma, method, encoding } = ctx.options;
  const outs = k.layer.outFeatures;
  const scale = (method === 'alr' && encoding === 'sign-noise' ? signScale : 1) / (samples * copies);
  const rows = samples * copies;
  // delta[r, o] = loss[r] * e[r, o] / sigma, reduced over copies when the input is copy-invariant.
  const delta = new Float64Array(k.xRows * outs);
  for (let r = 0; r < rows; r++) {
    const target = k.xRows === rows ? r : Math.floor(r / copies);
    for (let o = 0; o < outs; o++) delta[target * outs + o]! += (shaped[r]! * k.e[r * outs + o]!) / sigma;
  }
  const product = await ctx.kernels['matmul-at-b']({ a: delta, b: k.x, m: outs, k: k.xRows, n: k.layer.inFeatures });
  const weights = Float64Array.from(product, (v) => v * scale);
  const biases = new Float64Array(outs);
  for (let r = 0; r < k.xRows; r++) for (let o = 0; o < outs; o++) biases[o]! += delta[r * outs + o]! * scale;
  return { weights, biases };
}

/** The loss weights of the error signal: baselined losses, or their signs for ALR's sign-signal reading. */
function lossWeights(ctx: StepContext, losses: Float64Array, samples: number): Float64Array {
  const shaped = subtractBaseline(losses, samples, ctx.options.copies, ctx.options.baseline);
  return ctx.options.method === 'alr' && ctx.options.encoding === 'sign-signal' ? shaped.map(Math.sign) : shaped;
}

async function onePass(ctx: StepContext, batch: Batch, input: Float64Array, from: number, noisy: (l: number) => boolean, gradients: Params, bytes: KeptBytes): Promise<number> {
  const { logits, rows, kept } = await perturbedPass(ctx, batch, input, from, noisy, bytes);
  const labels = Int32Array.from({ length: rows }, (_, r) => batch.labels[Math.floor(r / ctx.options.copies)]!);
  const losses = toF64(await ctx.kernels['softmax-cross-entropy']({ logits, labels, rows, classes: ctx.layers.at(-1)!.outFeatures }));
  bytes.loss += losses.length * keptFloatBytes;
  const shaped = lossWeights(ctx, losses, batch.samples);
  for (const k of kept) gradients[k.layer.name] = await layerGradient(ctx, k, shaped, batch.samples);
  return mean(losses);
}

export async function lrStep(ctx: StepContext, batch: Batch): Promise<StepResult> {
  const gradients: Params = {};
  if (!ctx.options.layerwise) {
    const bytes = emptyKeptBytes();
    const meanLoss = await onePass(ctx, batch, batch.x, 0, () => true, gradients, bytes);
    return { meanLoss, gradients, keptBytes: bytes };
  }
  // Layer-wise: the clean prefix is shared by every pass; memory is the largest single pass.
  const prefix = await cleanForward(ctx.kernels, ctx.layers, ctx.params, batch.x, batch.samples, ctx.layers.length - 1);
  let peak = emptyKeptBytes();
  let lossSum = 0;
  for (const layer of ctx.layers) {
    const bytes = emptyKeptBytes();
    lossSum += await onePass(ctx, batch, prefix[layer.index]!, layer.index, (l) => l === layer.index, gradients, bytes);
    if (Object.values(bytes).reduce((a, b) => a + b) > Object.values(peak).reduce((a, b) => a + b)) peak = bytes;
  }
  return { meanLoss: lossSum / ctx.layers.length, gradients, keptBytes: peak };
}

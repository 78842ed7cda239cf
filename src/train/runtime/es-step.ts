// ES and AES on kernels (METHOD.md 2.4): each copy k perturbs every weight and bias,
// theta_k = theta + sigma * eps_k, with eps_k drawn by the noise kernel for counter
// (seed, step, layer, row = k, unit = parameter index; weights first, then biases); a clean forward
// on N rows per copy gives the losses; the gradient is mean over (n, k) of loss~ * eps_k / sigma
// (AES: sqrt(pi/2) * sign(eps_k)). The K x |theta| noise is kept (floats for ES, sign words for AES).
import { cleanForward } from './forward.js';
import { mean, subtractBaseline, toF64 } from './host-ops.js';
import { emptyKeptBytes, keptFloatBytes, type Batch, type KeptBytes, type Params, type StepContext, type StepResult } from './step-types.js';

async function gaussianPerturbation(ctx: StepContext, copy: number): Promise<Params> {
  const out: Params = {};
  for (const layer of ctx.layers) {
    const p = ctx.params[layer.name]!;
    const count = p.weights.length + p.biases.length;
    const eps = toF64(
      await ctx.kernels['noise-inject']({ z: new Float64Array(count), sigma: new Float64Array(1).fill(1), rows: 1, channels: 1, spatial: count, seed: ctx.seed, step: ctx.step, layer: layer.index, rowOffset: copy }),
    );
    out[layer.name] = { weights: eps.subarray(0, p.weights.length), biases: eps.subarray(p.weights.length) };
  }
  return out;
}

/** What the step keeps of copy k's noise: the floats (ES) or their signs (AES, counted as packed words). */
function keepNoise(eps: Params, method: string, bytes: KeptBytes): Params {
  const out: Params = {};
  const sign = (v: number): number => (v >= 0 ? 1 : -1);
  for (const [name, e] of Object.entries(eps)) {
    const count = e.weights.length + e.biases.length;
    if (method === 'aes') bytes['sign-bits'] += Math.ceil(count / 32) * 4;
    else bytes.noise += count * keptFloatBytes;
    out[name] = method === 'aes' ? { weights: e.weights.map(sign), biases: e.biases.map(sign) } : e;
  }
  return out;
}

function perturbed(params: Params, eps: Params, sigma: number): Params {
  const out: Params = {};
  for (const [name, p] of Object.entries(params)) {
    const e = eps[name]!;
    out[name] = { weights: p.weights.map((w, i) => w + sigma * e.weights[i]!), biases: p.biases.map((b, i) => b + sigma * e.biases[i]!) };
  }
  return out;
}

export async function esStep(ctx: StepContext, batch: Batch): Promise<StepResult> {
  const { copies, sigma, method } = ctx.options;
  const { samples } = batch;
  const bytes = emptyKeptBytes();
  const losses = new Float64Array(samples * copies);
  const noise: Params[] = [];
  for (let k = 0; k < copies; k++) {
    // AES perturbs with the Gaussian draw itself and keeps only its signs for the gradient.
    const gaussian = await gaussianPerturbation(ctx, k);
    noise.push(keepNoise(gaussian, method, bytes));
    const logits = (await cleanForward(ctx.kernels, ctx.layers, perturbed(ctx.params, gaussian, sigma), batch.x, samples)).at(-1)!;
    const l = await ctx.kernels['softmax-cross-entropy']({ logits, labels: batch.labels, rows: samples, classes: ctx.layers.at(-1)!.outFeatures });
    for (let n = 0; n < samples; n++) losses[n * copies + k] = l[n]!;
  }
  bytes.loss = losses.length * keptFloatBytes;
  const shaped = subtractBaseline(losses, samples, copies, ctx.options.baseline);
  const scale = (method === 'aes' ? Math.sqrt(Math.PI / 2) : 1) / (samples * copies * sigma);
  const gradients: Params = {};
  for (const layer of ctx.layers) {
    const p = ctx.params[layer.name]!;
    const g = { weights: new Float64Array(p.weights.length), biases: new Float64Array(p.biases.length) };
    for (let k = 0; k < copies; k++) {
      let weight = 0;
      for (let n = 0; n < samples; n++) weight += shaped[n * copies + k]!;
      const e = noise[k]![layer.name]!;
      for (let i = 0; i < g.weights.length; i++) g.weights[i]! += weight * scale * e.weights[i]!;
      for (let i = 0; i < g.biases.length; i++) g.biases[i]! += weight * scale * e.biases[i]!;
    }
    gradients[layer.name] = g;
  }
  return { meanLoss: mean(losses), gradients, keptBytes: bytes };
}

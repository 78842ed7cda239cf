// The LR-vs-ALR gradient-quality table: per-layer cosine similarity to the BP gradient on a small MLP
// for LR, ALR sign-noise and ALR sign-signal, with and without layer-wise injection, for several K;
// plus the measured per-layer noise bytes of LR (float32) and ALR (sign bits). Every number is computed.
import { mlp } from '../models/builders.js';
import { paramLayers } from '../models/layers.js';
import { bp } from './bp.js';
import { lr } from './lr.js';
import { initParams } from './params.js';
import { sampleNoise } from '../../kernels/rng.js';
import type { AlrEncoding, Batch } from './types.js';

export interface CosineRow {
  variant: 'lr' | `alr-${AlrEncoding}`;
  layerwise: boolean;
  copies: number;
  /** Cosine to BP per layer name (weights). */
  cosine: Record<string, number>;
}

export interface CosineTable {
  network: string;
  batch: number;
  sigma: number;
  rows: CosineRow[];
  noiseBytes: { layer: string; lrFloat32: number; alrSignBits: number; ratio: number }[];
}

function cosine(a: Float64Array, b: Float64Array): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

const defaultWidths = [20, 32, 32, 5];
const defaultBatch = 16;

/**
 * The bytes the table's largest estimate holds: K x N rows of every layer's outputs, as float64,
 * about three times over (noise, pre-activations, activations; measured 24 KiB per copy for the
 * default MLP, 2.7 x its 8.8 KiB of outputs), plus 128 MiB for Node and the oracle (the measured RSS at K = 20000 is 616 MiB, this count 633 MiB).
 */
export function cosineTableBytes(options: { widths?: number[]; batch?: number; copies?: number[] } = {}): number {
  const widths = options.widths ?? defaultWidths;
  const outputs = widths.slice(1).reduce((a, b) => a + b, 0);
  const copies = Math.max(64, ...(options.copies ?? [10, 100, 1000]));
  return copies * (options.batch ?? defaultBatch) * outputs * 8 * 3 + 128 * 2 ** 20;
}

export function cosineTable(
  options: { widths?: number[]; batch?: number; copies?: number[]; sigma?: number; seed?: number } = {},
): CosineTable {
  const widths = options.widths ?? defaultWidths;
  const N = options.batch ?? defaultBatch;
  const sigma = options.sigma ?? 0.1;
  const seed = options.seed ?? 3;
  const network = mlp(widths, 'tanh');
  const params = initParams(network, 1);
  const input = sampleNoise({ seed: 99, step: 0, layer: 0, samples: N, copies: 1, units: widths[0]! });
  const batch: Batch = { input, labels: Int32Array.from({ length: N }, (_, i) => i % widths.at(-1)!), size: N };
  const truth = bp(network, params, batch);
  const names = paramLayers(network.layers).map((l) => l.name);
  const variants = [
    ['lr', undefined],
    ['alr', 'sign-noise'],
    ['alr', 'sign-signal'],
  ] as const;
  const rows: CosineRow[] = [];
  for (const layerwise of [false, true]) {
    for (const [method, alrEncoding] of variants) {
      for (const copies of options.copies ?? [10, 100, 1000]) {
        const g = lr(network, params, batch, { method, copies, sigma, baseline: 'mean', alrEncoding, layerwise, seed });
        const c = Object.fromEntries(
          names.map((n) => [n, cosine(g.gradients.get(n)!.weights, truth.gradients.get(n)!.weights)]),
        );
        rows.push({ variant: method === 'lr' ? 'lr' : `alr-${alrEncoding!}`, layerwise, copies, cosine: c });
      }
    }
  }
  const K = 64;
  const lrKept = lr(network, params, batch, { method: 'lr', copies: K, sigma }).kept.byLayer;
  const alrKept = lr(network, params, batch, { method: 'alr', copies: K, sigma }).kept.byLayer;
  const noiseBytes = names.map((layer) => {
    const lrFloat32 = lrKept[layer]!.noise;
    const alrSignBits = alrKept[layer]!['sign-bits'];
    return { layer, lrFloat32, alrSignBits, ratio: lrFloat32 / alrSignBits };
  });
  return { network: network.name, batch: N, sigma, rows, noiseBytes };
}

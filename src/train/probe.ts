// `alrflow probe`: how well an estimator's gradient points along the exact BP gradient, per layer,
// on one real batch at the network's initial parameters (METHOD.md 6.3; the paper's Figure 5
// question). Weights and biases of a layer are taken together as one vector. A probe whose largest
// run does not fit the memory available is refused before any runtime is created (probe-memory.ts).
import type { ProbeLayer, ProbeReport, ProbeRun } from '../report/probe-report.js';
import type { Method } from '../compiler/methods/names.js';
import { epochPermutation, gatherBatch } from './batches.js';
import { loadDataset } from './datasets/load-dataset.js';
import { featureCount, type Dataset } from './datasets/types.js';
import { guardProbeMemory } from './probe-memory.js';
import { Runtime } from './runtime/runtime.js';
import { startParams } from '../compiler/start-params.js';
import { trainNetwork } from './train-setup.js';
import type { LayerParams, MethodOptions } from './runtime/step-types.js';
import { exactMethod, methodOf } from '../compiler/methods/registry.js';
import { usesCopies, type SwitchName } from '../compiler/methods/rules.js';

export interface ProbeOptions {
  model: string;
  dataset: string;
  /** CIFAR: the folder of the official binary files, or its parent (--data-dir). */
  dataDir?: string;
  methods: Method[];
  copies: number[];
  batch: number;
  backend: string;
  seed: number;
  sigma: number;
  baseline: MethodOptions['baseline'];
  layerwise: boolean;
  /** Hybrids: the BP layers (--bp-layers); absent: the last parametrised layer. */
  bpLayers?: string;
  hidden: number[];
}

function compare(estimate: LayerParams, exact: LayerParams): { cosineToBp: number; normRatio: number } {
  let dot = 0;
  let ee = 0;
  let bb = 0;
  for (const part of ['weights', 'biases'] as const) {
    estimate[part].forEach((v, i) => {
      const b = exact[part][i]!;
      dot += v * b;
      ee += v * v;
      bb += b * b;
    });
  }
  const cosine = ee === 0 || bb === 0 ? 0 : dot / Math.sqrt(ee * bb);
  return { cosineToBp: Math.max(-1, Math.min(1, cosine)), normRatio: bb === 0 ? 0 : Math.sqrt(ee / bb) };
}

/** The probe's training split: at least 1,000 samples (or the batch), from --data-dir where given. */
function probeDataset(o: ProbeOptions): Dataset {
  return loadDataset(o.dataset, {
    limit: Math.max(o.batch, 1000),
    testLimit: 1,
    seed: o.seed,
    ...(o.dataDir === undefined ? {} : { dataDir: o.dataDir }),
  });
}

/** A probed method's options: the probe's switches that the method takes (layer-wise LR/ALR, the hybrids' BP layers). */
function methodOptionsOf(o: ProbeOptions, method: Method, copies: number): MethodOptions {
  const takes = (s: SwitchName): boolean => methodOf(method).switches.includes(s);
  return {
    method,
    copies,
    sigma: o.sigma,
    baseline: o.baseline,
    encoding: 'sign-noise',
    antithetic: false,
    layerwise: o.layerwise && takes('layerwise'),
    ...(o.bpLayers === undefined || !takes('bpLayers') ? {} : { bpLayers: o.bpLayers }),
  };
}

export async function probe(o: ProbeOptions): Promise<ProbeReport & { backend: string }> {
  const dataset = probeDataset(o);
  const network = await trainNetwork({ model: o.model, dataset: o.dataset, hidden: o.hidden }, dataset);
  const start = await startParams(o.model);
  const batch = gatherBatch(
    dataset.train,
    featureCount(dataset),
    epochPermutation(dataset.train.count, o.seed, 0),
    0,
    o.batch,
  );
  const options = (method: Method, copies: number): MethodOptions => methodOptionsOf(o, method, copies);
  const optimizer = { kind: 'sgd' as const, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  guardProbeMemory(
    network,
    o.methods.flatMap((m) => (usesCopies(methodOf(m)) ? o.copies.map((k) => options(m, k)) : [options(m, 1)])),
    o.batch,
  );
  const exactRuntime = await Runtime.create({
    network,
    backend: o.backend,
    seed: o.seed,
    method: options(exactMethod, 1),
    optimizer,
    ...start,
  });
  const exact = await exactRuntime.gradients(batch, 0);
  const runs: ProbeRun[] = [];
  for (const method of o.methods) {
    for (const copies of usesCopies(methodOf(method)) ? o.copies : [1]) {
      const runtime = await Runtime.create({
        network,
        backend: o.backend,
        seed: o.seed,
        method: options(method, copies),
        optimizer,
        ...start,
      });
      const result = await runtime.gradients(batch, 0);
      const layers: ProbeLayer[] = runtime.layers.map((l) => ({
        layer: l.layer,
        ...compare(result.gradients[l.layer]!, exact.gradients[l.layer]!),
      }));
      runs.push({ method, copies, layers });
      await runtime.dispose();
    }
  }
  await exactRuntime.dispose();
  return { kind: 'probe-report', version: 1, model: network.name, runs, backend: exactRuntime.backend };
}

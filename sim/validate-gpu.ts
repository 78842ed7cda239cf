// The GPU models against measured numbers (hw-models/README.md's validation table): a BP step of one
// 8192x8192 bf16 linear layer at batch 8192 (two 8192^3 GEMMs: forward and weight gradient) as
// achieved FLOP/s, 2 x work.macsPerIteration x iterations/s, a device-to-device copy (an
// elementwise op bound by HBM) as bytes read and written per second, and a ResNet-50 v1.5 training
// step at batch 256 as images/s against NVIDIA's published single-GPU number. Simulates; prints
// nothing (bench/gpu-validation.ts prints the table).
import { resolve } from 'node:path';
import type { CompiledStep, Task } from '../src/compiler/types.js';
import type { HwModel } from '../src/hw/types.js';
import type { SimReport } from '../src/report/sim-report.js';
import { runSimJob } from './job.js';
import { simulate } from './simulate.js';
import { exactMethod } from '../src/compiler/methods/registry.js';

export interface ValidationRow {
  hw: string;
  workload: string;
  unit: string;
  simulated: number;
  /** The measured or published number; undefined where none is at hand. */
  measured?: number;
  source?: string;
}

const linear8192 = resolve(import.meta.dirname, '../hw-models/validation/linear-8192.json');
const resnet50 = resolve(import.meta.dirname, '../hw-models/validation/resnet50-v1.5.json');

/** NVIDIA's published ResNet-50 v1.5 training throughput on one A100 80GB, mixed precision, 256 images per GPU. */
export const resnet50A100ImagesPerSecond = 2470;
export const resnet50A100Source =
  'NVIDIA DeepLearningExamples, PyTorch/Classification/ConvNets/resnet50v1.5/README.md, "Training performance: NVIDIA DGX A100 (8x A100 80GB)", 1 GPU, mixed precision, batch 256 per GPU, pytorch-21.03 NGC container';

/** Simulated images/s of a BP (SGD) step of ResNet-50 v1.5 at batch 256, 224x224 inputs, as `simulate` runs it (cores chosen). */
export async function resnet50ImagesPerSecond(hw: string): Promise<{ imagesPerSecond: number; report: SimReport }> {
  const report = await runSimJob({
    model: resnet50,
    method: exactMethod,
    copies: 1,
    batch: 256,
    schedule: 'bp-sequential',
    hw,
    iterations: 2,
  });
  return { imagesPerSecond: report.throughput.samplesPerSecond, report };
}

/** Achieved TFLOP/s of the BP step of one 8192x8192 linear layer at batch 8192. */
export async function gemmTflops(hw: string): Promise<number> {
  const r = await runSimJob({
    model: linear8192,
    method: exactMethod,
    copies: 1,
    batch: 8192,
    schedule: 'bp-sequential',
    hw,
    iterations: 2,
  });
  return (2 * r.work!.macsPerIteration * r.throughput.iterationsPerSecond) / 1e12;
}

/** A copy of `bytes` from off-chip memory to off-chip memory, split over every core: TB/s read plus written. */
export function copyTbPerSecond(hw: HwModel, bytes: number): number {
  const far = hw.memory.at(-1)!.name;
  const share = Math.ceil(bytes / hw.cores.count);
  const tasks: Task[] = Array.from({ length: hw.cores.count }, (_, core) => ({
    id: `copy/${core}`,
    node: 'copy',
    microBatch: 0,
    unit: { core, unit: hw.cores.vector[0]!.name },
    work: { kind: 'vector', elements: Math.ceil(share / hw.wordBytes), opsPerElement: 1 },
    reads: [{ tensor: 'x', cls: 'activation', level: far, core: -1, bytes: share }],
    writes: [{ tensor: 'y', cls: 'activation', level: far, core: -1, bytes: share }],
    deps: [],
    prevIterationDeps: [],
  }));
  const step: CompiledStep = {
    graph: {
      meta: {
        network: 'copy',
        method: exactMethod,
        copies: 1,
        batch: 1,
        floatBytes: hw.wordBytes,
        noiseStorage: 'float',
        layerwise: false,
      },
      params: [],
      inputs: [],
      outputs: [],
      tensors: {},
      nodes: [],
    },
    hw,
    options: {
      method: exactMethod,
      copies: 1,
      batch: 1,
      schedule: 'sequential',
      microBatches: 1,
      staleness: 0,
      noiseStorage: 'float',
      layerwise: false,
      optimizer: 'sgd',
    },
    stages: [],
    stageChoice: 'device copy',
    tasks,
    placements: [],
    feasibility: { ok: true, shortfalls: [] },
    forwardMacsPerSample: 0,
  };
  const r = simulate(step, { iterations: 1, timelineLimit: 0 });
  return (2 * share * hw.cores.count * hw.clockHz) / r.cycles.total / 1e12;
}

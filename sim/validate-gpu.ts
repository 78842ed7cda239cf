// The GPU models against measured numbers (hw-models/README.md's validation table): a BP step of one
// 8192x8192 bf16 linear layer at batch 8192 (two 8192^3 GEMMs: forward and weight gradient) as
// achieved FLOP/s, 2 x work.macsPerIteration x iterations/s, and a device-to-device copy (an
// elementwise op bound by HBM) as bytes read and written per second. Simulates; prints nothing.
import { resolve } from 'node:path';
import type { CompiledStep, Task } from '../src/compiler/types.js';
import type { HwModel } from '../src/hw/types.js';
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
  };
  const r = simulate(step, { iterations: 1, timelineLimit: 0 });
  return (2 * share * hw.cores.count * hw.clockHz) / r.cycles.total / 1e12;
}

// The mapped summary `alrflow compile` prints: op counts, stages with estimated cycles, bytes per
// memory level per tensor class (summed over placements), kept bytes per class, the noise-storage
// saving (kept float noise against what the chosen storage keeps, from two compiled graphs) and
// feasibility. Plain data; formatting lives in the CLI.
import type { IrNodeKind } from '../ir/types.js';
import type { Network } from '../models/layers.js';
import { stepGraph } from './compile.js';
import type { Hint } from './infeasible-hints.js';
import { keptBytes, type KeptBytes } from './kept-bytes.js';
import type { CompiledStep, CompileOptions, Feasibility, Stage } from './types.js';
import { methodOf } from './methods/registry.js';
import { usesCopies } from './methods/rules.js';

export interface NoiseStorageSaving {
  /** Kept noise bytes if the noise were stored as floats. */
  floatNoiseBytes: number;
  /** Kept noise plus sign-bit bytes under the chosen storage. */
  keptNoiseBytes: number;
  /** floatNoiseBytes / keptNoiseBytes; null when nothing is kept (regenerated noise). */
  ratio: number | null;
}

export interface CompileSummary {
  model: string;
  hw: string;
  options: CompileOptions;
  nodes: number;
  tasks: number;
  ops: Partial<Record<IrNodeKind, number>>;
  stages: Stage[];
  /** How the stages were chosen. */
  stageChoice: string;
  bytesByLevel: Record<string, Record<string, number>>;
  keptBytes: KeptBytes;
  noiseStorageSaving?: NoiseStorageSaving;
  feasibility: Feasibility;
  /** Infeasible mappings: option sets checked to compile feasibly (infeasible-hints.ts). */
  hints?: Hint[];
}

export function summarize(network: Network, step: CompiledStep): CompileSummary {
  const ops: Partial<Record<IrNodeKind, number>> = {};
  for (const node of step.graph.nodes) ops[node.kind] = (ops[node.kind] ?? 0) + 1;
  const bytesByLevel: Record<string, Record<string, number>> = {};
  for (const pl of step.placements) {
    const level = (bytesByLevel[pl.level] ??= {});
    level[pl.cls] = (level[pl.cls] ?? 0) + pl.bytes;
  }
  const kept = keptBytes(step.graph);
  const summary: CompileSummary = {
    model: network.name,
    hw: step.hw.name,
    options: step.options,
    nodes: step.graph.nodes.length,
    tasks: step.tasks.length,
    ops,
    stages: step.stages,
    stageChoice: step.stageChoice,
    bytesByLevel,
    keptBytes: kept,
    feasibility: step.feasibility,
  };
  if (!usesCopies(methodOf(step.options.method))) return summary;
  const floatNoiseBytes = keptBytes(
    stepGraph(network, { ...step.options, noiseStorage: 'float', floatBytes: step.graph.meta.floatBytes }),
  ).noise;
  const keptNoiseBytes = kept.noise + kept['sign-bits'];
  return {
    ...summary,
    noiseStorageSaving: {
      floatNoiseBytes,
      keptNoiseBytes,
      ratio: keptNoiseBytes > 0 ? floatNoiseBytes / keptNoiseBytes : null,
    },
  };
}

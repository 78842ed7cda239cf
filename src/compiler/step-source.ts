// A network as the compiler holds it: what the training side (src/train, its runtime) may know of a
// network without reading its layers. It names the network, gives one sample's shape and the class
// count, and compiles step graphs; the runtime then reads nothing but those graphs.
import type { HwModel } from '../hw/types.js';
import type { Graph } from '../ir/types.js';
import type { Network } from '../models/layers.js';
import { loadNetwork } from '../models/load-network.js';
import { buildModel, type ModelOptions } from '../models/registry.js';
import { compile, stepGraph } from './compile.js';
import { resolveCompileOptions, type CompileOptionsInput } from './compile-options.js';
import { exactMethod } from './methods/registry.js';
import type { CompiledStep } from './types.js';

export interface StepSource {
  name: string;
  /** Shape of one input sample: [C, H, W] for images, [features] for vectors. */
  inputShape: readonly number[];
  classes: number;
  /** The step graph before any mapping (expand, fold, fuse), floats of `floatBytes` (default 4). */
  stepGraph(options: CompileOptionsInput, floatBytes?: number): Graph;
  /** The exact method's plain step graph on `rows` samples: evaluation runs its forward and loss nodes. */
  evaluationGraph(rows: number): Graph;
  /** compile(): the step mapped onto a hardware model. */
  compile(hw: HwModel, options: CompileOptionsInput): CompiledStep;
}

export function stepSource(network: Network): StepSource {
  return {
    name: network.name,
    inputShape: network.inputShape,
    classes: network.classes,
    stepGraph: (options, floatBytes) =>
      stepGraph(network, { ...resolveCompileOptions(options), ...(floatBytes ? { floatBytes } : {}) }),
    evaluationGraph: (rows) =>
      stepGraph(
        network,
        resolveCompileOptions({ method: exactMethod, copies: 1, batch: rows, schedule: 'sequential' }),
      ),
    compile: (hw, options) => compile(network, hw, options),
  };
}

/** A shipped network by name (--model), built for the dataset's sample shape and classes. */
export function modelStepSource(model: string, options: ModelOptions): StepSource {
  return stepSource(buildModel(model, options));
}

/** A shipped network by name, or a network file (JSON, SCALE-Sim CSV, ONNX), as --model names it. */
export async function loadStepSource(model: string, options: ModelOptions): Promise<StepSource> {
  return stepSource(await loadNetwork(model, options));
}

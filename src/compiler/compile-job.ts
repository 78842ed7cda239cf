// The compile half of a simulator job: the network a job names (a shipped model or a network file, read
// by src/models) compiled onto any variant of a hardware model, and the checked hints for an infeasible
// step. sim/job.ts calls these, so sim/ never reads a network description itself.
import type { HwModel } from '../hw/types.js';
import { loadNetwork } from '../models/load-network.js';
import { compile } from './compile.js';
import type { CompileOptionsInput } from './compile-options.js';
import { checkedHints, hintText } from './infeasible-hints.js';
import type { CompiledStep, CompileOptions } from './types.js';

/** The model's step compiled onto whichever hardware variant the caller picks. */
export async function modelCompiler(
  model: string,
  options: CompileOptionsInput,
): Promise<{ compileOn: (hw: HwModel) => CompiledStep }> {
  const network = await loadNetwork(model);
  return { compileOn: (hw) => compile(network, hw, options) };
}

/** The hint lines for a step that does not fit, each re-checked to fit before it is offered. */
export async function infeasibleHintText(
  model: string,
  hw: HwModel,
  options: CompileOptions,
  overBy: number,
): Promise<string> {
  return hintText(checkedHints(await loadNetwork(model), hw, options, overBy));
}

// The options of one training step, declared once for `train`, `simulate` and `compile`: method, K,
// batch, step schedule, micro-batches, staleness, stages or stage cuts, hardware model, optimizer and
// momentum, noise storage, learned sigma, the hybrids' BP layers, and --print-graph. One set of defaults (stepDefaults) and
// one resolver (resolveStepFlags) that reports every problem at once; the compiler's own checks
// (src/compiler/compile-options.ts) then see the same input whichever command parsed it.
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { methodHelp, methodsWith } from '../compiler/methods/registry.js';
import { scheduleHelp } from '../compiler/schedules/registry.js';
import type { CompileOptionsInput } from '../compiler/compile-options.js';
import type { CompileOptions } from '../compiler/types.js';
import type { HwModel } from '../hw/types.js';
import type { Graph } from '../ir/types.js';
import type { Network } from '../models/layers.js';
import { nameList, oneOf, positiveInt } from './action.js';
import { modelChoices } from './model-option.js';
import { recommendedBatches, recommendedMethods } from '../compiler/methods/recommended-steps.js';

export interface StepFlags {
  model?: string;
  method?: string;
  copies?: string;
  batch?: string;
  schedule?: string;
  microBatches?: string;
  staleness: string;
  stages?: string;
  stageCuts?: string;
  hw?: string;
  optimizer: string;
  momentum: string;
  noiseStorage?: string;
  learnSigma?: boolean;
  bpLayers?: string;
  printGraph?: boolean;
  lockstep?: string;
}

/**
 * The defaults of every command that compiles a step (the schedule's and micro-batches' are the resolver's).
 * A shipped model's recommended method and batch (src/models/registry.ts) come before them.
 */
export const stepDefaults = {
  copies: '64',
  batch: '64',
  schedule: 'sequential',
  staleness: '0',
  optimizer: 'sgd',
  momentum: '0.9',
} as const;

/** Adds the step's options to a command; `scheduleNote` extends --schedule's help (train's learning-rate alias). */
export function addStepOptions(command: Command, scheduleNote = ''): Command {
  return command
    .option('--model <name|file>', modelChoices())
    .option(
      '--method <m>',
      `${methodHelp()}; a shipped model may recommend one (${recommendedMethods()}; see alrflow models)`,
    )
    .option('--copies <K>', `noise copies per sample (default: ${stepDefaults.copies})`)
    .option(
      '--batch <N>',
      `samples per step (default: ${stepDefaults.batch}, or the model's recommended batch: ${recommendedBatches()}; see alrflow models)`,
    )
    .option('--schedule <s>', `step schedule: ${scheduleHelp()} (default: ${stepDefaults.schedule})${scheduleNote}`)
    .option('--micro-batches <M>', 'micro-batches per step (default: 4, at most the batch, when pipelined; else 1)')
    .option('--staleness <s>', '0, or 1 (layer-pipelined: the gradient of step t is applied at step t+1)', '0')
    .option('--stages <N>', 'pipelined schedules: number of stages (default: chosen by estimated cost)')
    .option('--stage-cuts <layers>', 'pipelined schedules: comma-separated layers that begin stages 2, 3, ...')
    .option(
      '--hw <name|file>',
      'hardware model the step is compiled onto: shipped name or JSON file (default: the default model)',
    )
    .option('--optimizer <o>', 'sgd | adam', stepDefaults.optimizer)
    .option('--momentum <m>', 'SGD momentum, in [0, 1)', stepDefaults.momentum)
    .option(
      '--noise-storage <s>',
      "float | sign-bits | regenerate (default: the method's first; sign-bits for alr/aes)",
    )
    .option(
      '--learn-sigma',
      `${methodsWith('learnedSigma').join(', ')}: learned sigma (each layer's sigma gradient and update join the step)`,
    )
    .option(
      '--bp-layers <layers>',
      `${methodsWith('bpLayers').join(', ')}: the layers trained by BP, last:N or layer names, comma separated (default: the last parametrised layer)`,
    )
    .option('--print-graph', 'print the compiled, mapped step graph (stable text form) and exit');
}

/** Adds --lockstep to compile and simulate (compare has its own: its rows default otherwise). */
export function addLockstepOption(command: Command): Command {
  return command.option(
    '--lockstep <when>',
    "auto | on | off: simulate each op's cores in lockstep, one task (the busiest share) standing for all of them; auto: on chips of more than 256 cores (default: auto)",
  );
}

/** --lockstep as a compile option: absent for auto. */
export function lockstepFlag(value: string | undefined): { lockstep?: boolean } {
  if (value === undefined) return {};
  const when = oneOf('--lockstep', value, ['auto', 'on', 'off'] as const);
  return when === 'auto' ? {} : { lockstep: when === 'on' };
}

/** The resolved step: compile options (checked by the compiler's rules), the hardware model's name, momentum. */
export interface StepChoice {
  options: CompileOptions;
  hw: string;
  momentum: number;
}

/** Runs one check, keeping its problems instead of stopping at the first. */
function collect<T>(problems: string[], check: () => T): T | undefined {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
}

function momentumOf(text: string): number {
  const m = /^\s*[0-9]*\.?[0-9]+(e[-+]?[0-9]+)?\s*$/i.test(text) ? Number(text) : Number.NaN;
  if (!(m >= 0 && m < 1)) throw new ConfigError([`--momentum: found "${text}", allowed: a number in [0, 1)`]);
  return m;
}

const optional = <T>(value: string | undefined, parse: (v: string) => T): T | undefined =>
  value === undefined ? undefined : parse(value);

/** The flags as compile-option input; every malformed value at once. */
async function parsed(flags: StepFlags, problems: string[]): Promise<CompileOptionsInput> {
  const { methodNames: methods } = await import('../compiler/methods/registry.js');
  const { scheduleKinds } = await import('../compiler/types.js');
  const { learnedSigmaSwitches } = await import('../ir/method-rules.js');
  const take = <T>(check: () => T) => collect(problems, check);
  const { recommendedStep } = await import('../compiler/methods/recommended-steps.js');
  const recommended = recommendedStep(flags.model);
  const given = flags.method ?? recommended?.method;
  if (given === undefined) problems.push(`--method: missing, allowed: ${methods.join(', ')}`);
  const method = given === undefined ? undefined : take(() => oneOf('--method', given, methods));
  const storages = ['float', 'sign-bits', 'regenerate'] as const;
  return {
    method: method!,
    copies: take(() => positiveInt('--copies', flags.copies ?? stepDefaults.copies))!,
    batch: take(() => positiveInt('--batch', flags.batch ?? String(recommended?.batch ?? stepDefaults.batch)))!,
    schedule: take(() => oneOf('--schedule', flags.schedule ?? stepDefaults.schedule, scheduleKinds))!,
    microBatches: optional(flags.microBatches, (v) => take(() => positiveInt('--micro-batches', v))),
    staleness: take(() => Number(oneOf('--staleness', flags.staleness, ['0', '1'] as const)) as 0 | 1),
    stages: optional(flags.stages, (v) => take(() => positiveInt('--stages', v))),
    stageCuts: optional(flags.stageCuts, nameList),
    noiseStorage: optional(flags.noiseStorage, (v) => take(() => oneOf('--noise-storage', v, storages))),
    optimizer: take(() => oneOf('--optimizer', flags.optimizer, ['sgd', 'adam'] as const)),
    momentum: take(() => momentumOf(flags.momentum)),
    ...learnedSigmaSwitches(flags.learnSigma ?? false),
    ...(flags.bpLayers === undefined ? {} : { bpLayers: flags.bpLayers }),
    ...take(() => lockstepFlag(flags.lockstep)),
  };
}

/** The step the flags describe, or a ConfigError listing every problem (malformed values, then combinations). */
export async function resolveStepFlags(
  flags: StepFlags,
  extra: Partial<CompileOptionsInput> = {},
): Promise<StepChoice> {
  const { resolveCompileOptions } = await import('../compiler/compile-options.js');
  const { defaultHwModelName } = await import('../hw/load.js');
  const problems: string[] = [];
  const input = await parsed(flags, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    options: resolveCompileOptions({ ...input, ...extra }),
    hw: flags.hw ?? defaultHwModelName,
    momentum: input.momentum!,
  };
}

/** Awaits one check, keeping its problems instead of stopping at the first. */
async function collectAsync<T>(problems: string[], check: () => Promise<T>): Promise<T | undefined> {
  try {
    return await check();
  } catch (err) {
    return collect(problems, () => {
      throw err;
    });
  }
}

/** The network, hardware model and step options of the flags; every problem of the three at once. */
export async function loadStep(
  flags: StepFlags,
  extra: Partial<CompileOptionsInput> = {},
): Promise<StepChoice & { network: Network; hwModel: HwModel }> {
  const { loadNetwork } = await import('../models/load-network.js');
  const { defaultHwModelName, loadHwModel } = await import('../hw/load.js');
  const problems: string[] = [];
  const choice = await collectAsync(problems, () => resolveStepFlags(flags, extra));
  if (flags.model === undefined)
    problems.push(
      '--model: missing, allowed: a shipped model name, a network .json file, a SCALE-Sim topology .csv or an .onnx file',
    );
  const model = flags.model;
  const network = model === undefined ? undefined : await collectAsync(problems, () => loadNetwork(model));
  const hwModel = collect(problems, () => loadHwModel(flags.hw ?? defaultHwModelName));
  if (problems.length > 0 || !choice || !network || !hwModel) throw new ConfigError(problems);
  return { ...choice, network, hwModel };
}

/** --print-graph: the step graph's stable text form on stdout. */
export async function printStepGraph(graph: Graph): Promise<void> {
  const { printGraph } = await import('../ir/print-graph.js');
  process.stdout.write(printGraph(graph));
}

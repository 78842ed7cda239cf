// Validates and completes compile options: every problem at once as a ConfigError, each naming
// the option, the value found and the values allowed. Defaults: the method's first noise storage
// (src/compiler/methods), 4 micro-batches (at most the batch) under pipelined schedules, SGD
// momentum 0 (no velocity; the training command passes its own).
import { ConfigError } from '../errors.js';
import type { MethodSpec } from './methods/method-spec.js';
import {
  isMethod,
  learnedSigmaProblems,
  methodNames,
  methodOf,
  methodsWith,
  schedulesFor,
  type LearnedSigmaRequest,
} from './methods/registry.js';
import { usesCopies } from './methods/rules.js';
import { isPipelined as pipelinedKind, scheduleKinds, schedules } from './schedules/registry.js';
import type { CompileOptions } from './types.js';

export { schedulesFor };

export type CompileOptionsInput = Pick<CompileOptions, 'method' | 'copies' | 'batch' | 'schedule'> &
  Partial<CompileOptions> & {
    /** Training's learned-sigma rate, floor and starting sigma: checked with the switch, not compiled. */
    learnedSigmaRates?: Omit<LearnedSigmaRequest, 'learn'>;
  };

const pipelined = scheduleKinds.filter(pipelinedKind);

/** The noise storage, layer-wise and learned-sigma switches against what the method allows. */
function switchProblems(input: CompileOptionsInput, spec: MethodSpec | undefined): string[] {
  if (!spec) return [];
  const problems: string[] = [];
  const storage = input.noiseStorage;
  if (storage !== undefined && usesCopies(spec) && !spec.storages.includes(storage)) {
    const twin = spec.signBitsTwin ? ` (sign bits make it ${spec.signBitsTwin})` : '';
    problems.push(
      `--noise-storage: found "${storage}" with --method ${spec.name}, allowed: ${spec.storages.join(', ')}${twin}`,
    );
  }
  if (input.bpLayers !== undefined && !spec.switches.includes('bpLayers'))
    problems.push(`--bp-layers: applies to ${methodsWith('bpLayers').join(' and ')}, found --method ${spec.name}`);
  if (input.layerwise && !spec.switches.includes('layerwise'))
    problems.push(`--layerwise: applies to ${methodsWith('layerwise').join(' and ')}, found --method ${spec.name}`);
  problems.push(
    ...learnedSigmaProblems(spec.name, { learn: input.switches?.learnedSigma ?? false, ...input.learnedSigmaRates }),
  );
  return problems;
}

/** --stages and --stage-cuts apply to pipelined schedules only, and not both at once. */
function stageProblems(input: CompileOptionsInput, isPipelined: boolean): string[] {
  const problems: string[] = [];
  const asked = input.stages !== undefined || (input.stageCuts?.length ?? 0) > 0;
  if (asked && !isPipelined)
    problems.push(
      `--stages/--stage-cuts: found with --schedule ${input.schedule}, allowed: with ${pipelined.join(', ')} only`,
    );
  if (input.stages !== undefined && (input.stageCuts?.length ?? 0) > 0)
    problems.push('--stages and --stage-cuts: found both, allowed: one of them (the cuts fix the stage count)');
  if (input.stages !== undefined && (!Number.isInteger(input.stages) || input.stages < 1))
    problems.push(`--stages: found ${input.stages}, allowed: a positive integer`);
  return problems;
}

/** Method and schedule: known, and the schedule one the method allows. */
function methodProblems(input: CompileOptionsInput, spec: MethodSpec | undefined): string[] {
  const { method, schedule } = input;
  const problems: string[] = [];
  if (!spec) problems.push(`--method: found "${method}", allowed: ${methodNames.join(', ')}`);
  if (!scheduleKinds.includes(schedule))
    problems.push(`--schedule: found "${schedule}", allowed: ${scheduleKinds.join(', ')}`);
  else if (spec && !spec.schedules.includes(schedule))
    problems.push(
      `--schedule: found "${schedule}" with --method ${method}, allowed: ${schedulesFor(method).join(', ')}`,
    );
  return problems;
}

/** Counts, micro-batches and staleness against the schedule. */
function layoutProblems(input: CompileOptionsInput, isPipelined: boolean, microBatches: number, staleness: number) {
  const { schedule } = input;
  const problems: string[] = [];
  for (const [name, value] of [
    ['--copies', input.copies],
    ['--batch', input.batch],
    ['--micro-batches', input.microBatches ?? 1],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) problems.push(`${name}: found ${value}, allowed: a positive integer`);
  }
  if (!isPipelined && microBatches !== 1)
    problems.push(
      `--micro-batches: found ${microBatches} with --schedule ${schedule}, allowed: 1 (micro-batches apply to ${pipelined.join(', ')})`,
    );
  if (isPipelined && microBatches > input.batch)
    problems.push(`--micro-batches: found ${microBatches}, allowed: at most the batch (${input.batch})`);
  if (staleness !== 0 && staleness !== 1) problems.push(`--staleness: found ${String(staleness)}, allowed: 0, 1`);
  else if (scheduleKinds.includes(schedule) && !schedules[schedule].staleness.includes(staleness)) {
    problems.push(
      `--staleness: found ${staleness} with --schedule ${schedule}, allowed: ${schedules[schedule].staleness.join(', ')} (staleness 1 applies to ${scheduleKinds.filter((k) => schedules[k].staleness.includes(1)).join(', ')})`,
    );
  }
  return problems;
}

function optimizerProblems(optimizer: string, momentum: number): string[] {
  const problems: string[] = [];
  if (optimizer !== 'sgd' && optimizer !== 'adam')
    problems.push(`optimizer: found "${String(optimizer)}", allowed: sgd, adam`);
  if (!(momentum >= 0 && momentum < 1)) problems.push(`--momentum: found ${momentum}, allowed: a number in [0, 1)`);
  return problems;
}

export function resolveCompileOptions(input: CompileOptionsInput): CompileOptions {
  const { method, schedule } = input;
  const spec = isMethod(method) ? methodOf(method) : undefined;
  const isPipelined = scheduleKinds.includes(schedule) && pipelinedKind(schedule);
  const microBatches = input.microBatches ?? (isPipelined ? Math.min(4, input.batch) : 1);
  const staleness = input.staleness ?? 0;
  const optimizer = input.optimizer ?? 'sgd';
  const momentum = input.momentum ?? 0;
  const problems = [
    ...methodProblems(input, spec),
    ...layoutProblems(input, isPipelined, microBatches, staleness),
    ...switchProblems(input, spec),
    ...optimizerProblems(optimizer, momentum),
    ...stageProblems(input, isPipelined),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    method,
    copies: spec && usesCopies(spec) ? input.copies : 1,
    batch: input.batch,
    schedule,
    microBatches,
    staleness,
    noiseStorage: input.noiseStorage ?? spec?.storages[0] ?? 'float',
    layerwise: input.layerwise ?? false,
    optimizer,
    momentum: optimizer === 'sgd' ? momentum : 0,
    ...(input.stages !== undefined ? { stages: input.stages } : {}),
    ...(input.stageCuts?.length ? { stageCuts: input.stageCuts } : {}),
    ...(input.switches ? { switches: input.switches } : {}),
    ...(input.bpLayers !== undefined ? { bpLayers: input.bpLayers } : {}),
    ...(input.lockstep !== undefined ? { lockstep: input.lockstep } : {}),
  };
}

// Validates and completes compile options: every problem at once as a ConfigError, each naming
// the option, the value found and the values allowed. Defaults: noise storage sign-bits for
// ALR/AES and float otherwise, 4 micro-batches (at most the batch) under pipelined schedules, SGD
// momentum 0 (no velocity; the training command passes its own).
import { ConfigError } from '../errors.js';
import { methods, type Method } from '../ir/types.js';
import { isPipelined as pipelinedKind, scheduleKinds, schedules, schedulesFor } from './schedules/registry.js';
import type { CompileOptions } from './types.js';

export { schedulesFor };

export type CompileOptionsInput = Pick<CompileOptions, 'method' | 'copies' | 'batch' | 'schedule'> &
  Partial<CompileOptions>;

const pipelined = scheduleKinds.filter(pipelinedKind);

function storagesFor(method: Method): CompileOptions['noiseStorage'][] {
  if (method === 'lr' || method === 'es') return ['float', 'regenerate'];
  return ['float', 'sign-bits', 'regenerate'];
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

export function resolveCompileOptions(input: CompileOptionsInput): CompileOptions {
  const problems: string[] = [];
  const { method, schedule } = input;
  if (!methods.includes(method)) problems.push(`--method: found "${method}", allowed: ${methods.join(', ')}`);
  if (!scheduleKinds.includes(schedule))
    problems.push(`--schedule: found "${schedule}", allowed: ${scheduleKinds.join(', ')}`);
  else if (methods.includes(method) && !schedulesFor(method).includes(schedule)) {
    problems.push(
      `--schedule: found "${schedule}" with --method ${method}, allowed: ${schedulesFor(method).join(', ')}`,
    );
  }
  for (const [name, value] of [
    ['--copies', input.copies],
    ['--batch', input.batch],
    ['--micro-batches', input.microBatches ?? 1],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) problems.push(`${name}: found ${value}, allowed: a positive integer`);
  }
  const isPipelined = scheduleKinds.includes(schedule) && pipelinedKind(schedule);
  const microBatches = input.microBatches ?? (isPipelined ? Math.min(4, input.batch) : 1);
  if (!isPipelined && microBatches !== 1)
    problems.push(
      `--micro-batches: found ${microBatches} with --schedule ${schedule}, allowed: 1 (micro-batches apply to ${pipelined.join(', ')})`,
    );
  if (isPipelined && microBatches > input.batch)
    problems.push(`--micro-batches: found ${microBatches}, allowed: at most the batch (${input.batch})`);
  const staleness = input.staleness ?? 0;
  if (staleness !== 0 && staleness !== 1) problems.push(`--staleness: found ${String(staleness)}, allowed: 0, 1`);
  else if (scheduleKinds.includes(schedule) && !schedules[schedule].staleness.includes(staleness)) {
    problems.push(
      `--staleness: found ${staleness} with --schedule ${schedule}, allowed: ${schedules[schedule].staleness.join(', ')} (staleness 1 applies to ${scheduleKinds.filter((k) => schedules[k].staleness.includes(1)).join(', ')})`,
    );
  }
  const noiseStorage = input.noiseStorage ?? (method === 'alr' || method === 'aes' ? 'sign-bits' : 'float');
  if (methods.includes(method) && method !== 'bp' && !storagesFor(method).includes(noiseStorage)) {
    problems.push(
      `--noise-storage: found "${noiseStorage}" with --method ${method}, allowed: ${storagesFor(method).join(', ')} (sign bits make it ${method === 'lr' ? 'alr' : 'aes'})`,
    );
  }
  const layerwise = input.layerwise ?? false;
  if (layerwise && method !== 'lr' && method !== 'alr')
    problems.push(`--layerwise: applies to lr and alr, found --method ${method}`);
  if (input.switches?.learnedSigma && method !== 'lr' && method !== 'alr')
    problems.push(`--learn-sigma: applies to lr and alr (activation noise), found --method ${method}`);
  const optimizer = input.optimizer ?? 'sgd';
  if (optimizer !== 'sgd' && optimizer !== 'adam')
    problems.push(`optimizer: found "${String(optimizer)}", allowed: sgd, adam`);
  const momentum = input.momentum ?? 0;
  if (!(momentum >= 0 && momentum < 1)) problems.push(`--momentum: found ${momentum}, allowed: a number in [0, 1)`);
  problems.push(...stageProblems(input, isPipelined));
  if (problems.length > 0) throw new ConfigError(problems);
  const stageControl = {
    ...(input.stages !== undefined ? { stages: input.stages } : {}),
    ...(input.stageCuts?.length ? { stageCuts: input.stageCuts } : {}),
  };
  const switches = input.switches ? { switches: input.switches } : {};
  return {
    method,
    copies: method === 'bp' ? 1 : input.copies,
    batch: input.batch,
    schedule,
    microBatches,
    staleness,
    noiseStorage,
    layerwise,
    optimizer,
    momentum: optimizer === 'sgd' ? momentum : 0,
    ...stageControl,
    ...switches,
  };
}

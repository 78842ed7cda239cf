// Validates and completes compile options: every problem at once as a ConfigError, each naming
// the option, the value found and the values allowed. Defaults: noise storage sign-bits for
// ALR/AES and float otherwise, 4 micro-batches (at most the batch) under pipelined schedules.
import { ConfigError } from '../errors.js';
import { methods, type Method } from '../ir/types.js';
import { scheduleKinds, type CompileOptions, type ScheduleKind } from './types.js';

export type CompileOptionsInput = Pick<CompileOptions, 'method' | 'copies' | 'batch' | 'schedule'> & Partial<CompileOptions>;

const pipelined: readonly ScheduleKind[] = ['layer-pipelined', 'gpipe', '1f1b'];

/** Schedules each method may run under. */
export function schedulesFor(method: Method): ScheduleKind[] {
  return method === 'bp' ? ['sequential', 'data-parallel', 'bp-sequential', 'gpipe', '1f1b'] : ['sequential', 'data-parallel', 'layer-pipelined'];
}

function storagesFor(method: Method): CompileOptions['noiseStorage'][] {
  if (method === 'lr' || method === 'es') return ['float', 'regenerate'];
  return ['float', 'sign-bits', 'regenerate'];
}

export function resolveCompileOptions(input: CompileOptionsInput): CompileOptions {
  const problems: string[] = [];
  const { method, schedule } = input;
  if (!methods.includes(method)) problems.push(`--method: found "${method}", allowed: ${methods.join(', ')}`);
  if (!scheduleKinds.includes(schedule)) problems.push(`--schedule: found "${schedule}", allowed: ${scheduleKinds.join(', ')}`);
  else if (methods.includes(method) && !schedulesFor(method).includes(schedule)) {
    problems.push(`--schedule: found "${schedule}" with --method ${method}, allowed: ${schedulesFor(method).join(', ')}`);
  }
  for (const [name, value] of [['--copies', input.copies], ['--batch', input.batch], ['--micro-batches', input.microBatches ?? 1]] as const) {
    if (!Number.isInteger(value) || value < 1) problems.push(`${name}: found ${value}, allowed: a positive integer`);
  }
  const isPipelined = pipelined.includes(schedule);
  const microBatches = input.microBatches ?? (isPipelined ? Math.min(4, input.batch) : 1);
  if (!isPipelined && microBatches !== 1) problems.push(`--micro-batches: found ${microBatches} with --schedule ${schedule}, allowed: 1 (micro-batches apply to ${pipelined.join(', ')})`);
  if (isPipelined && microBatches > input.batch) problems.push(`--micro-batches: found ${microBatches}, allowed: at most the batch (${input.batch})`);
  const staleness = input.staleness ?? 0;
  if (staleness !== 0 && staleness !== 1) problems.push(`--staleness: found ${String(staleness)}, allowed: 0, 1`);
  const noiseStorage = input.noiseStorage ?? (method === 'alr' || method === 'aes' ? 'sign-bits' : 'float');
  if (methods.includes(method) && method !== 'bp' && !storagesFor(method).includes(noiseStorage)) {
    problems.push(`--noise-storage: found "${noiseStorage}" with --method ${method}, allowed: ${storagesFor(method).join(', ')} (sign bits make it ${method === 'lr' ? 'alr' : 'aes'})`);
  }
  const layerwise = input.layerwise ?? false;
  if (layerwise && method !== 'lr' && method !== 'alr') problems.push(`--layerwise: applies to lr and alr, found --method ${method}`);
  const optimizer = input.optimizer ?? 'sgd';
  if (optimizer !== 'sgd' && optimizer !== 'adam') problems.push(`optimizer: found "${String(optimizer)}", allowed: sgd, adam`);
  if (problems.length > 0) throw new ConfigError(problems);
  const switches = input.switches ? { switches: input.switches } : {};
  return { method, copies: method === 'bp' ? 1 : input.copies, batch: input.batch, schedule, microBatches, staleness, noiseStorage, layerwise, optimizer, ...switches };
}

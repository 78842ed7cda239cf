// Every gradient method by name. Adding one: its name in names.ts, a file in this folder and a line
// here; the compiler, option validation, the CLI's lists and help, `compare` and `probe` read this.
import { ConfigError } from '../../errors.js';
import type { ScheduleKind } from '../schedules/registry.js';
import { aHybrid } from './a-hybrid.js';
import { aes } from './aes.js';
import { alr } from './alr.js';
import { bp } from './bp.js';
import { es } from './es.js';
import { hybrid } from './hybrid.js';
import { lr } from './lr.js';
import type { MethodSpec } from './method-spec.js';
import { methodNames, type Method } from './names.js';
import type { SwitchName } from './rules.js';

export { methodNames, type Method };
export type { MethodSpec };

export const methodRegistry = { bp, lr, alr, es, aes, hybrid, 'a-hybrid': aHybrid } as const satisfies Record<
  Method,
  MethodSpec
>;

/** `alrflow simulate`'s and `start`'s method, and `probe`'s methods, when none is given. */
export const defaultMethod: Method = 'alr';
/** The exact method: evaluation graphs read its forward and loss nodes; `probe` compares against it. */
export const exactMethod: Method = 'bp';
export const probeDefaultMethods: readonly Method[] = ['lr', 'alr'];

export function isMethod(name: string): name is Method {
  return (methodNames as readonly string[]).includes(name);
}

export function methodOf(name: Method): MethodSpec {
  return methodRegistry[name];
}

/** A method named by the user, or a ConfigError naming the flag, the value and the methods allowed. */
export function parseMethod(flag: string, name: string): Method {
  if (isMethod(name)) return name;
  throw new ConfigError([`${flag}: found "${name}", allowed: ${methodNames.join(', ')}`]);
}

/** Schedules a method may run under. */
export function schedulesFor(method: Method): ScheduleKind[] {
  return [...methodRegistry[method].schedules];
}

/** Methods that accept a switch, in registry order. */
export function methodsWith(s: SwitchName): Method[] {
  return methodNames.filter((m) => methodRegistry[m].switches.includes(s));
}

/** What a run asks of learned sigma: whether to learn it and, when training, its rate, floor and starting sigma. */
export interface LearnedSigmaRequest {
  learn: boolean;
  lr?: number;
  floor?: number;
  start?: number;
}

/**
 * The one check of learned sigma (every command's step options and the runtime's graphs go through
 * it), a problem line each: the method's entry must list the switch (activation noise to learn), a
 * rate or floor only with it, both positive, the floor at most the starting sigma.
 */
export function learnedSigmaProblems(method: Method, r: LearnedSigmaRequest): string[] {
  const problems: string[] = [];
  if (r.learn && !methodRegistry[method].switches.includes('learnedSigma'))
    problems.push(
      `--learn-sigma with --method ${method}: sigma is learned only for activation noise (ES/AES keep one fixed weight-space sigma, BP has no noise); allowed with --method ${methodsWith('learnedSigma').join(', ')}`,
    );
  for (const [flag, value] of [
    ['--sigma-lr', r.lr],
    ['--sigma-min', r.floor],
  ] as const) {
    if (value === undefined) continue;
    if (!r.learn)
      problems.push(
        `${flag} without --learn-sigma: it sets how sigma is learned; allowed: add --learn-sigma, or drop ${flag}`,
      );
    if (!(value > 0)) problems.push(`${flag}: found ${value}, allowed: a positive number`);
  }
  if (r.floor !== undefined && r.start !== undefined && r.floor > r.start)
    problems.push(`--sigma-min ${r.floor} is above --sigma ${r.start}; allowed: a floor at most the start sigma`);
  return problems;
}

/** The CLI help's list: "name (summary); ...". */
export function methodHelp(): string {
  return methodNames.map((m) => `${m}: ${methodRegistry[m].summary}`).join('; ');
}

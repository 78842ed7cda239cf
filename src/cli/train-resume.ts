// `train --resume`: the run's settings come from its saved config.json; only --epochs and
// --checkpoint-every (and --report, which is not a setting) may change. Any other option given on
// the command line must match the saved value, else the resume is refused naming each difference.
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import type { TrainConfig } from '../train/train-config.js';
import { positiveInt } from './action.js';

/** Options that are about this invocation, not settings of the run. */
const notSettings = ['out', 'resume', 'quiet', 'report', 'force', 'profile', 'maxMemory', 'json', 'printGraph'];

function sameValue(saved: unknown, given: unknown): boolean {
  if (Array.isArray(saved)) return saved.join(',') === String(given);
  if (typeof saved === 'number') return Number(given) === saved;
  return saved === given;
}

/** The config to resume with: saved settings, the new epochs / checkpoint interval if given. */
export async function resumeConfig(flags: Record<string, unknown>, command: Command): Promise<TrainConfig> {
  const { readSavedConfig } = await import('../train/run-dir.js');
  const out = String(flags.out);
  const saved = readSavedConfig(out);
  const given = command.options
    .map((o) => o.attributeName())
    .filter((k) => command.getOptionValueSource(k) === 'cli' && !notSettings.includes(k));
  const problems = given
    .filter((k) => k !== 'epochs' && k !== 'checkpointEvery')
    .flatMap((k) => {
      const value = (saved as unknown as Record<string, unknown>)[k];
      if (value !== undefined && sameValue(value, flags[k])) return [];
      const flag = command.options.find((o) => o.attributeName() === k)?.long ?? k;
      const was = value === undefined ? 'not a saved setting of the run' : `${JSON.stringify(value)} in the saved run`;
      return [
        `--resume: ${flag} is ${JSON.stringify(flags[k])} now but ${was}; allowed to change on --resume: --epochs, --checkpoint-every, --report (the rest comes from ${out}/config.json)`,
      ];
    });
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...saved,
    ...(given.includes('epochs') ? { epochs: positiveInt('--epochs', String(flags.epochs)) } : {}),
    ...(given.includes('checkpointEvery')
      ? { checkpointEvery: positiveInt('--checkpoint-every', String(flags.checkpointEvery)) }
      : {}),
  };
}

/** The options a fresh run needs; with --resume they come from the saved run instead. */
export function requireForFreshRun(flags: Record<string, unknown>, names: Array<[string, string]>): void {
  const missing = names
    .filter(([key]) => flags[key] === undefined)
    .map(([, flag]) => `${flag}: missing, allowed: required for a new run (with --resume it comes from the saved run)`);
  if (missing.length > 0) throw new ConfigError(missing);
}

// Wraps a command's action: typed alrflow errors become a message on stderr and their exit code
// (2 bad input, 3 infeasible); anything else is an internal error (exit 1) with its stack.
import { AlrflowError, ConfigError } from '../errors.js';

export function action<A extends unknown[]>(run: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (err) {
      if (err instanceof AlrflowError) {
        process.stderr.write(`alrflow: ${err.message}\n`);
        process.exit(err.exitCode);
      }
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`alrflow: internal error (please report): ${detail}\n`);
      process.exit(1);
    }
  };
}

/** Parses a positive integer option or throws a ConfigError naming the option. */
/** A comma-separated list of names (empty entries dropped). */
export function nameList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function positiveInt(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError([`${option}: found "${value}", allowed: a positive integer`]);
  return n;
}

/** Checks that a value is one of the allowed strings or throws a ConfigError listing them. */
export function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError([`${option}: found "${value}", allowed: ${allowed.join(', ')}`]);
  }
  return value as T;
}

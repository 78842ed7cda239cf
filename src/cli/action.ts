// Wraps a command's action: typed alrflow errors become a message on stderr and their exit code
// (2 bad input, 3 infeasible); a file-system error that names its path (no space left, read-only,
// permission denied, a file where a folder is meant) is the user's environment, not a bug: a message
// and exit 2; anything else is an internal error (exit 1) with its stack.
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
      const fsError = fileSystemError(err);
      if (fsError !== undefined) {
        process.stderr.write(`alrflow: ${fsError}\n`);
        process.exit(2);
      }
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`alrflow: internal error (please report): ${detail}\n`);
      process.exit(1);
    }
  };
}

const environmentCodes = new Set([
  'ENOSPC',
  'EDQUOT',
  'EFBIG',
  'EROFS',
  'EACCES',
  'EPERM',
  'ENOTDIR',
  'EISDIR',
  'ENOENT',
  'EEXIST',
  'EMFILE',
]);

/** The message of a file-system error caused by the environment (it names a path), else undefined. */
function fileSystemError(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!(err instanceof Error) || e?.code === undefined || e.path === undefined || !environmentCodes.has(e.code))
    return undefined;
  return `${e.path}: ${e.message} (no stack: the file system refused; hint: check the path, its permissions and free space)`;
}

/** A comma-separated list of names (empty entries dropped). */
export function nameList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The largest count an option or file accepts: 2^31, so every count stays an exact 32-bit-safe integer. */
export const maxCount = 2 ** 31;

/**
 * Parses a count strictly: decimal digits only (no sign, no 0x/0b/0o, exponent, fraction or spaces),
 * at least `min`, at most 2^31; throws a ConfigError naming the option otherwise.
 */
export function strictInt(option: string, value: string, min: number): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= maxCount)) {
    throw new ConfigError([
      `${option}: found "${value}", allowed: ${min === 0 ? 'a non-negative' : 'a positive'} integer in decimal digits, at most 2^31 (${maxCount})`,
    ]);
  }
  return n;
}

/** Parses a positive integer option (decimal digits only, <= 2^31) or throws a ConfigError naming the option. */
export function positiveInt(option: string, value: string): number {
  return strictInt(option, value, 1);
}

/** Parses a positive finite number option (decimal, exponent allowed) or throws a ConfigError naming it. */
export function positiveNumber(option: string, value: string): number {
  const n = /^[0-9]*\.?[0-9]+(e[-+]?[0-9]+)?$|^[0-9]+\.$/i.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError([`${option}: found "${value}", allowed: a positive number`]);
  return n;
}

/** Checks that a value is one of the allowed strings or throws a ConfigError listing them. */
export function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError([`${option}: found "${value}", allowed: ${allowed.join(', ')}`]);
  }
  return value as T;
}

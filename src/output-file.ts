// The one way alrflow writes a file and checks where it will write. A file is written to a temporary
// file in its own folder and renamed into place, so a full disk, a kill or a failed write leaves the
// previous file byte-identical and no temporary file behind. Missing folders are created like
// `mkdir -p`, at write time only, so a refused run leaves nothing. The checks here run before any work
// and read nothing but the file system; they never create or change anything.
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from './errors.js';

export type OutputKind = 'file' | 'folder';

export interface OutputPathOptions {
  /** A file output: an existing file may be replaced. A folder output: no effect here (the command decides). */
  force?: boolean;
}

function writable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The problem with creating `path` (file or folder) where nothing exists yet: its nearest existing ancestor must be a writable folder. */
function creatableProblem(option: string, path: string): string | undefined {
  let ancestor = dirname(resolve(path));
  while (!existsSync(ancestor)) ancestor = dirname(ancestor);
  if (!statSync(ancestor).isDirectory())
    return `${option}: ${ancestor} is a file, so ${path} cannot be created under it; allowed: a path whose folders are folders`;
  if (!writable(ancestor))
    return `${option}: the folder ${ancestor} is not writable, so ${path} cannot be created; allowed: a path in a writable folder`;
  return undefined;
}

/** What is wrong with writing the file `path` (undefined when nothing is). Reads only. */
function fileProblem(option: string, path: string, options: OutputPathOptions): string | undefined {
  if (!existsSync(path)) return creatableProblem(option, path);
  if (statSync(path).isDirectory()) return `${option}: ${path} is a folder; allowed: a file path or \`-\` for stdout`;
  if (!options.force) {
    return `${option}: ${path} already exists; allowed: a new file; hint: pass --force to overwrite it, choose another name, or \`-\` for stdout`;
  }
  const folder = dirname(resolve(path));
  if (!writable(folder))
    return `${option}: the folder ${folder} is not writable, so ${path} cannot be replaced; allowed: a path in a writable folder`;
  return undefined;
}

/** What is wrong with writing into the folder `path` (created if missing). Reads only. */
function folderProblem(option: string, path: string): string | undefined {
  if (!existsSync(path)) return creatableProblem(option, path);
  if (!statSync(path).isDirectory()) return `${option}: ${path} is a file; allowed: a folder (created if missing)`;
  if (!writable(path)) return `${option}: the folder ${path} is not writable; allowed: a writable folder`;
  return undefined;
}

/** The problem with an output path, or undefined; `kind` says whether the path names a file or a folder. */
export function outputPathProblem(
  option: string,
  path: string,
  kind: OutputKind,
  options: OutputPathOptions = {},
): string | undefined {
  return kind === 'file' ? fileProblem(option, path, options) : folderProblem(option, path);
}

/** Throws a ConfigError (exit 2) naming the problem with an output path, if there is one. */
export function checkOutputPath(option: string, path: string, kind: OutputKind, options: OutputPathOptions = {}): void {
  const problem = outputPathProblem(option, path, kind, options);
  if (problem !== undefined) throw new ConfigError([problem]);
}

/** A write that failed (full disk, file too large, read-only file system) as a clean exit-2 message. */
function writeFailure(path: string, err: unknown): ConfigError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code ? `${e.code}: ${e.message.replace(/^[A-Z]+: /, '')}` : String(err);
  const kept = existsSync(path) ? `${path} is unchanged` : `nothing was written`;
  return new ConfigError([`cannot write ${path} (${why}); ${kept}. Hint: free some space or choose a writable folder`]);
}

/** Creates a folder and its missing parents, as `mkdir -p`; a failure is a clean ConfigError. */
export function makeFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    throw writeFailure(folder, err);
  }
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder (so the rename never
 * crosses file systems), flushed, then renamed over `path`. An existing file keeps its permissions.
 * On failure the temporary file is removed and `path` is as it was.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const folder = dirname(resolve(path));
  makeFolder(folder);
  const temporary = join(folder, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o666;
    fd = openSync(temporary, 'wx', mode);
    writeFileSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw writeFailure(path, err);
  }
}

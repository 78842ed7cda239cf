// src/output-file.ts in-process: an atomic write replaces a file whole and keeps its permissions,
// makes missing folders, leaves no temporary file; a failed write (the folder is a file) is a clean
// ConfigError; the path checks read only and say what is wrong with each kind of path.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { outputPathProblem, writeFileAtomic } from '../../src/output-file.js';

const dir = mkdtempSync(join(tmpdir(), 'alrflow-output-file-'));

test('an atomic write replaces the file whole, keeps its mode and leaves no temporary file', () => {
  const file = join(dir, 'kept-mode.txt');
  writeFileSync(file, 'old contents, longer than the new ones');
  chmodSync(file, 0o640);
  writeFileAtomic(file, 'new');
  expect(readFileSync(file, 'utf8')).toBe('new');
  expect(statSync(file).mode & 0o777).toBe(0o640);
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test('missing folders are made as mkdir -p would; a file in the way is a clean ConfigError', () => {
  writeFileAtomic(join(dir, 'a', 'b', 'c.json'), '{}');
  expect(existsSync(join(dir, 'a', 'b', 'c.json'))).toBe(true);
  writeFileSync(join(dir, 'plain'), 'x');
  expect(() => writeFileAtomic(join(dir, 'plain', 'below.json'), '{}')).toThrow(ConfigError);
  expect(readFileSync(join(dir, 'plain'), 'utf8')).toBe('x');
});

test('the checks say what is wrong, create nothing, and pass what is fine', () => {
  writeFileSync(join(dir, 'exists.json'), 'x');
  expect(outputPathProblem('--o', join(dir, 'exists.json'), 'file')).toMatch(
    /already exists; allowed: a new file; hint: pass --force/,
  );
  expect(outputPathProblem('--o', join(dir, 'exists.json'), 'file', { force: true })).toBeUndefined();
  expect(outputPathProblem('--o', join(dir, 'exists.json'), 'folder')).toMatch(/is a file; allowed: a folder/);
  expect(outputPathProblem('--o', dir, 'file')).toMatch(/is a folder; allowed: a file path/);
  expect(outputPathProblem('--o', join(dir, 'exists.json', 'x', 'y.json'), 'file')).toMatch(
    /exists\.json is a file, so .* cannot be created/,
  );
  expect(outputPathProblem('--o', join(dir, 'new', 'deeper', 'y.json'), 'file')).toBeUndefined();
  expect(outputPathProblem('--o', join(dir, 'new', 'deeper'), 'folder')).toBeUndefined();
  expect(existsSync(join(dir, 'new'))).toBe(false);
});

// The checkpoint records the noise generator's version (kernels/rng.ts NOISE_GENERATOR_VERSION): a
// fresh checkpoint resumes silently to the uninterrupted run's state; one without the field or with
// rng v1 still resumes (to the same state: this build's draws depend on the counters alone) but warns
// once on stderr, saying what it found, what this build draws and what that means.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { NOISE_GENERATOR_VERSION } from '../../kernels/rng.js';
import { readCheckpoint, writeCheckpoint } from '../../src/train/checkpoint.js';
import { noiseVersionWarning } from '../../src/train/noise-version.js';
import { train } from '../../src/train/train.js';
import { silent, smallRun } from '../fixtures/train-short-runs.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'alrflow-noise-version-'));

afterEach(() => vi.restoreAllMocks());

type Meta = { step: number; noiseGenerator?: unknown };

/** Stops a run after 4 steps, edits its checkpoint's meta, resumes it; returns the final metrics and what went to stderr. */
async function resumeWith(edit: (meta: Meta) => Meta) {
  const cut = dir();
  await train(smallRun, { outDir: cut, resume: false, force: true, progress: silent, stopAfterSteps: 4 });
  const path = join(cut, 'checkpoint.bin');
  const state = readCheckpoint<Meta>(path);
  writeCheckpoint(path, { ...state, meta: edit(state.meta) });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const resumed = await train(smallRun, { outDir: cut, resume: true, force: false, progress: silent });
  const written = stderr.mock.calls.map((c) => String(c[0])).join('');
  stderr.mockRestore();
  return { final: resumed.final, stderr: written, saved: readCheckpoint<Meta>(path).meta };
}

test('a fresh checkpoint records the version and resumes silently to the uninterrupted state', async () => {
  const straight = await train(smallRun, { outDir: dir(), resume: false, force: true, progress: silent });
  const fresh = await resumeWith((meta) => meta);
  expect(fresh.stderr).toBe('');
  expect(fresh.final).toEqual(straight.final);
  expect(fresh.saved.noiseGenerator).toBe(NOISE_GENERATOR_VERSION);
  const unrecorded = await resumeWith(({ noiseGenerator: _, ...meta }) => meta);
  expect(unrecorded.stderr).toMatch(
    /^alrflow: warning: checkpoint .*checkpoint\.bin records no noise generator version/,
  );
  expect(unrecorded.stderr).toMatch(/this build draws rng v2\. The run continues correctly from step 4/);
  expect(unrecorded.stderr).toMatch(/not bit-identical to an uninterrupted run under the old generator\n$/);
  expect(unrecorded.stderr.split('\n')).toHaveLength(2);
  expect(unrecorded.final).toEqual(straight.final);
  expect(unrecorded.saved.noiseGenerator).toBe(NOISE_GENERATOR_VERSION);
  const v1 = await resumeWith((meta) => ({ ...meta, noiseGenerator: 1 }));
  expect(v1.stderr).toMatch(/was written with noise generator rng v1; this build draws rng v2\./);
  expect(v1.final).toEqual(straight.final);
});

test('the warning names what was found: no version, another version, an unreadable one; none for this build', () => {
  const at = (meta: { noiseGenerator?: unknown }) => noiseVersionWarning('run/checkpoint.bin', meta, 7);
  expect(at({ noiseGenerator: NOISE_GENERATOR_VERSION })).toBeUndefined();
  expect(at({})).toMatch(/records no noise generator version/);
  expect(at({ noiseGenerator: 1 })).toMatch(
    /rng v1; this build draws rng v2\. The run continues correctly from step 7/,
  );
  expect(at({ noiseGenerator: 3 })).toMatch(/rng v3; this build draws rng v2/);
  expect(at({ noiseGenerator: 'x' })).toMatch(/unknown noise generator version \("x"\)/);
});

// Checkpoint files: round trip is bit-exact, any flipped byte or truncation is detected and the file
// is refused, and writing is atomic (no temporary file left, an old checkpoint is replaced whole).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { readCheckpoint, writeCheckpoint } from '../../src/train/checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'alrflow-ckpt-'));
const state = {
  meta: { step: 17, epoch: 2, config: { method: 'alr', copies: 64 } },
  arrays: {
    'fc1.w': Float64Array.from([1.5, -0, Math.PI, 1e-300]),
    'fc1.b': new Float64Array([Math.fround(0.1)]),
    empty: new Float64Array(0),
  },
};

describe('checkpoint files', () => {
  test('round trip is exact, including -0 and float32 values', () => {
    const path = join(dir, 'a.bin');
    writeCheckpoint(path, state);
    const back = readCheckpoint<typeof state.meta>(path);
    expect(back.meta).toEqual(state.meta);
    for (const [name, array] of Object.entries(state.arrays))
      expect(Buffer.from(back.arrays[name]!.buffer)).toEqual(Buffer.from(array.buffer));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 50 })(
    'any flipped byte is refused',
    (position, xor) => {
      const path = join(dir, 'b.bin');
      writeCheckpoint(path, state);
      const bytes = readFileSync(path);
      bytes[position % bytes.length]! ^= xor;
      writeFileSync(path, bytes);
      expect(() => readCheckpoint(path)).toThrow(InvalidInputError);
    },
  );

  test('a truncated file is refused with a message naming the file and a hint', () => {
    const path = join(dir, 'c.bin');
    writeCheckpoint(path, state);
    writeFileSync(path, readFileSync(path).subarray(0, 60));
    expect(() => readCheckpoint(path)).toThrow(/c\.bin.*not loaded.*Hint/s);
  });

  test('rewriting replaces the old checkpoint', () => {
    const path = join(dir, 'd.bin');
    writeCheckpoint(path, state);
    writeCheckpoint(path, { ...state, meta: { ...state.meta, step: 18 } });
    expect(readCheckpoint<typeof state.meta>(path).meta.step).toBe(18);
  });
});

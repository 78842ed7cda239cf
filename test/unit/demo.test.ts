// `alrflow demo`'s table: every variant x injection x K row is present with finite per-layer cosines
// in [-1, 1], and the measured ALR/LR noise-bytes ratio is 32 up to one word of padding per layer.
import { expect, test } from 'vitest';
import { cosineTable } from '../../src/estimators/cosine-table.js';

test('cosine table rows and noise-bytes ratio', () => {
  const table = cosineTable({ widths: [6, 5, 3], batch: 4, copies: [4, 8] });
  expect(table.rows).toHaveLength(3 * 2 * 2);
  for (const r of table.rows) {
    expect(Object.keys(r.cosine)).toEqual(['fc1', 'fc2']);
    for (const c of Object.values(r.cosine)) expect(Math.abs(c)).toBeLessThanOrEqual(1);
  }
  for (const n of table.noiseBytes) {
    expect(n.alrSignBits * 32 - n.lrFloat32).toBeGreaterThanOrEqual(0);
    expect(n.alrSignBits * 32 - n.lrFloat32).toBeLessThan(128);
  }
});

// compare's text table: a memory level's peak column is as wide as its header, so long level names
// (hbm2, l1-shared) never run into each other.
import { expect, test } from 'vitest';
import { compareTable } from '../../sim/compare.js';

test('peak columns of long memory-level names stay apart in the header and under it', () => {
  const row = {
    method: 'bp',
    schedule: 'bp-sequential',
    iterationsPerSecond: 12.5,
    ratioToBp: 1,
    stages: 1,
    bubbleRatio: 0,
    boundRatio: 1.5,
    boundKind: 'compute',
    peakBytesByLevel: { hbm2: 3 * 2 ** 30, 'l1-shared': 96 * 2 ** 10 },
  };
  const report = { model: 'mlp', hw: 'gpu-like', copies: 1, batch: 8, rows: [row] } as unknown as Parameters<
    typeof compareTable
  >[0];
  const [, head, line] = compareTable(report).split('\n');
  const headCells = head!.trim().split(/\s{2,}/);
  expect(headCells.slice(-2)).toEqual(['peak hbm2', 'peak l1-shared']);
  expect(line!.length).toBe(head!.length);
});

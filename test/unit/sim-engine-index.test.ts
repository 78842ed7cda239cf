// The engine's dependency groups (sim/engine-index.ts): lists of at least 8 tasks held by two or more
// tasks become groups, counted down once per iteration; each member knows its groups and its place in
// each list; a task outside every group keeps its own list.
import { describe, expect, it } from 'vitest';
import { dependencyGroups, type Rows } from '../../sim/engine-index.js';

function rows(lists: number[][]): Rows {
  const start = Int32Array.from([0, ...lists.map((_, i) => lists.slice(0, i + 1).flat().length)]);
  return { start, list: Int32Array.from(lists.flat()) };
}

describe('dependencyGroups', () => {
  const a = [0, 1, 2, 3, 4, 5, 6, 7];
  const b = [7, 0, 1, 2, 3, 4, 5, 6];
  // Tasks 9, 10 share list a; 11, 12 share list b; 13 keeps a short list of its own.
  const lists = [[], [], [], [], [], [], [], [], [], a, a, b, b, [1, 2]];
  const { groups, rest } = dependencyGroups(rows(lists), lists.length);

  it('makes one group per shared long list, with its members and waiters', () => {
    expect([...groups.ofTask]).toEqual([-1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 1, 1, -1]);
    expect([...groups.members.start]).toEqual([0, 8, 16]);
    expect([...groups.members.list]).toEqual([...a, ...b]);
    expect([...groups.waiters.start]).toEqual([0, 2, 4]);
    expect([...groups.waiters.list]).toEqual([9, 10, 11, 12]);
  });

  it("gives each member its groups in order and its place in each group's list", () => {
    const of = (t: number) => {
      const from = groups.memberOf.start[t]!;
      const to = groups.memberOf.start[t + 1]!;
      return { groups: [...groups.memberOf.list.subarray(from, to)], at: [...groups.memberPos.subarray(from, to)] };
    };
    expect(of(0)).toEqual({ groups: [0, 1], at: [0, 1] });
    expect(of(7)).toEqual({ groups: [0, 1], at: [7, 0] });
    expect(of(8)).toEqual({ groups: [], at: [] });
    expect(of(13)).toEqual({ groups: [], at: [] });
  });

  it('leaves grouped tasks no list of their own and keeps the others', () => {
    expect([...rest.start]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect([...rest.list]).toEqual([1, 2]);
  });
});

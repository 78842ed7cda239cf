// Collectives on the network: the ring all-reduce takes 2(n-1)/n x bytes / link bandwidth (plus
// its hop latencies), the tree wins where latency dominates, transfers sharing a link (a bus) share
// its bandwidth, and sequential (bp-sequential for BP) differs from data-parallel: only
// data-parallel all-reduces gradients.
import { describe, expect, test } from 'vitest';
import { planAllReduce } from '../../src/compiler/collective.js';
import { compile } from '../../src/compiler/compile.js';
import type { HwModel } from '../../src/hw/types.js';
import { loadHwModel } from '../../src/hw/load.js';
import { buildModel } from '../../src/models/registry.js';
import { simulate } from '../../sim/simulate.js';
import { testHw, transfersOnCores } from '../fixtures/sim-steps.js';

function nocHw(
  cores: number,
  topology: NonNullable<HwModel['noc']>['topology'],
  hopLatencyCycles: number,
  linkBandwidthBytesPerCycle = 16,
): HwModel {
  return { ...testHw({ cores }), noc: { topology, linkBandwidthBytesPerCycle, hopLatencyCycles } };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('all-reduce on the network', () => {
  test.each([2, 4, 8, 16])('ring on %i cores of a mesh: 2(n-1)/n x bytes / bandwidth, simulated', (n) => {
    const hw = nocHw(16, 'mesh', 0);
    const bytes = 1 << 20;
    const plan = planAllReduce(hw, range(n), bytes);
    expect(plan.algorithm).toBe('ring');
    const closed = ((2 * (n - 1)) / n) * (bytes / 16);
    const r = simulate(
      transfersOnCores(
        hw,
        range(n).map(() => ({ kind: 'transfer' as const, bytes: plan.bytesPerParticipant, hops: plan.hops })),
      ),
      { iterations: 1 },
    );
    expect(Math.abs(r.cycles.total - closed)).toBeLessThanOrEqual(1);
  });

  test('hop latency counts per step: 2(n-1) steps of the farthest ring neighbours', () => {
    const hw = nocHw(16, 'mesh', 10);
    const plan = planAllReduce(hw, range(16), 1 << 24);
    expect(plan.algorithm).toBe('ring');
    expect(plan.hops).toBe(2 * 15 * 1);
    expect(plan.cycles).toBe(Math.ceil(((2 * 15) / 16) * ((1 << 24) / 16)) + 30 * 10);
  });

  test('a small buffer with slow hops goes by tree', () => {
    const plan = planAllReduce(nocHw(16, 'crossbar', 1000), range(16), 64);
    expect(plan.algorithm).toBe('tree');
    expect(plan.hops).toBe(2 * 4);
  });

  test('transfers sharing a link share its bandwidth (bus), and not on separate links (crossbar)', () => {
    const works = range(4).map(() => ({ kind: 'transfer' as const, bytes: 16_000 }));
    expect(simulate(transfersOnCores(nocHw(4, 'bus', 0), works), { iterations: 1 }).cycles.total).toBe(4 * 1000);
    expect(simulate(transfersOnCores(nocHw(4, 'crossbar', 0), works), { iterations: 1 }).cycles.total).toBe(1000);
  });
});

describe.each([
  ['resnet5', 'bp', 'bp-sequential'],
  ['resnet5', 'alr', 'sequential'],
  ['resnet9', 'bp', 'bp-sequential'],
  ['resnet9', 'alr', 'sequential'],
] as const)('%s %s: %s against data-parallel on multicore-16', (net, method, flat) => {
  const hw = loadHwModel('multicore-16');
  const network = buildModel(net, {});
  const options = { method, copies: method === 'bp' ? 1 : 8, batch: 32 };
  const seq = compile(network, hw, { ...options, schedule: flat });
  const dp = compile(network, hw, { ...options, schedule: 'data-parallel' });
  const allReduces = (s: typeof seq) => s.graph.nodes.filter((n) => n.kind === 'AllReduce').length;

  test('only data-parallel has an all-reduce, and the cycles differ', () => {
    expect(allReduces(seq)).toBe(0);
    expect(allReduces(dp)).toBeGreaterThan(0);
    const cycles = (s: typeof seq) => simulate(s, { iterations: 1, timelineLimit: 0 }).cycles.total;
    expect(cycles(seq)).not.toBe(cycles(dp));
  });
});

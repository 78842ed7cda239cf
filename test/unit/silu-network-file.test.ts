// A network file that names SiLU ({"kind": "silu"}) loads, compiles to BiasAct nodes whose work is
// the op table's per-element count, and simulates; SiLU's vector work per element exceeds ReLU's, so
// the same network with ReLU never simulates slower.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { silu } from '../../kernels/ops/silu.js';
import { stepGraph } from '../../src/compiler/compile.js';
import { workOf } from '../../src/ir/work-of.js';
import { loadNetwork } from '../../src/models/load-network.js';
import { runSimJob } from '../../sim/job.js';

const dir = mkdtempSync(join(tmpdir(), 'alrflow-silu-'));

function networkFile(activation: string): string {
  const file = join(dir, `${activation}.json`);
  const layers = [
    { kind: 'linear', name: 'fc1', inFeatures: 64, outFeatures: 256 },
    { kind: activation, name: 'act1' },
    { kind: 'linear', name: 'fc2', inFeatures: 256, outFeatures: 10 },
  ];
  writeFileSync(file, JSON.stringify({ name: `mlp-${activation}`, inputShape: [64], classes: 10, layers }));
  return file;
}

test('a SiLU network file compiles to BiasAct silu nodes costed by the op table, forward and BP backward', async () => {
  const network = await loadNetwork(networkFile('silu'));
  expect(network.layers[1]).toEqual({ kind: 'silu', name: 'act1' });
  const options = {
    method: 'bp',
    copies: 1,
    batch: 8,
    schedule: 'sequential',
    microBatches: 1,
    staleness: 0,
    noiseStorage: 'float',
    layerwise: false,
    optimizer: 'sgd',
  } as const;
  const nodes = stepGraph(network, options).nodes.filter((n) => n.kind === 'BiasAct' && n.act === 'silu');
  expect(nodes.map((n) => n.phase).sort()).toEqual(['backward', 'forward']);
  for (const node of nodes)
    expect(workOf(node)).toMatchObject({ elements: 8 * 256, opsPerElement: silu.opsPerElement });
});

test.each(['bp', 'alr'] as const)(
  '%s: the SiLU network simulates, no faster than the same network with ReLU',
  async (method) => {
    const job = { method, copies: 4, batch: 8, schedule: 'sequential', hw: 'edge-npu', iterations: 1 } as const;
    const [withSilu, withRelu] = [
      await runSimJob({ ...job, model: networkFile('silu') }),
      await runSimJob({ ...job, model: networkFile('relu') }),
    ];
    expect(withSilu.cycles.total).toBeGreaterThan(0);
    expect(withSilu.cycles.total).toBeGreaterThanOrEqual(withRelu.cycles.total);
  },
);

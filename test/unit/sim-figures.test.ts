// compare's rows read a report's figures alone (simulateFigures): the same simulation as simulate(),
// without the traffic, placements, stalls, energy and timelines. Each figure must equal the full
// report's, on a step that spills (its floored pass), a pipelined one and a sequential one.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { loadHwModel } from '../../src/hw/load.js';
import { buildModel } from '../../src/models/registry.js';
import { simulate, simulateFigures } from '../../sim/simulate.js';

const hw = loadHwModel('multicore-16');
const figureKeys = [
  'input',
  'cycles',
  'throughput',
  'units',
  'stages',
  'bubbleRatio',
  'utilisationByKind',
  'memory',
  'cycleShares',
  'bound',
] as const;

describe('simulateFigures', () => {
  const cases = [
    { model: 'resnet5', method: 'alr', schedule: 'layer-pipelined', microBatches: 16 },
    { model: 'resnet5', method: 'bp', schedule: 'gpipe', microBatches: 4 },
    { model: 'mlp', method: 'lr', schedule: 'sequential', microBatches: 1 },
  ] as const;
  for (const { model, method, schedule, microBatches } of cases)
    it(`${model} ${method} ${schedule}: every figure equals the full report's`, () => {
      const options = { method, copies: 16, batch: 32, schedule, microBatches };
      const report = simulate(compile(buildModel(model, {}), hw, options), { iterations: 6, noTimelines: true });
      const figures = simulateFigures(compile(buildModel(model, {}), hw, options), { iterations: 6 });
      expect(Object.keys(figures).sort()).toEqual([...figureKeys].sort());
      for (const key of figureKeys) expect(figures[key], key).toEqual(report[key]);
    });
});

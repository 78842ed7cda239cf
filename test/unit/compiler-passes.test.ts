// verifyGraph holds after every pass for every shipped network x method x valid schedule (small
// K and batch so the suite stays fast), on a one-core and a four-core hardware model; invalid
// method/schedule pairs are refused with the allowed values.
import { describe, expect, test } from 'vitest';
import { compile, type PassTrace } from '../../src/compiler/compile.js';
import { schedulesFor } from '../../src/compiler/compile-options.js';
import { scheduleKinds } from '../../src/compiler/types.js';
import { ConfigError } from '../../src/errors.js';
import { methodNames as methods } from '../../src/compiler/methods/names.js';
import { graphProblems } from '../../src/ir/verify-graph.js';
import { buildModel, modelNames } from '../../src/models/registry.js';
import { gpt } from '../../src/models/transformer-builders.js';
import { quadCoreHw, singleCoreHw } from '../fixtures/compiler-hw.js';

// gpt2-small's structure at a test's size (its own size is simulate's test, test/unit/transformer-models.test.ts).
const gptMini = gpt({ name: 'gpt-mini', sequence: 8, vocabulary: 11, width: 16, heads: 2, mlp: 32, blocks: 2 });
const networkOf = (model: string) => (model === 'gpt2-small' ? gptMini : buildModel(model));

const cases = modelNames.flatMap((model) =>
  methods.flatMap((method) => schedulesFor(method).map((schedule) => ({ model, method, schedule }))),
);

describe.each([singleCoreHw, quadCoreHw])('on $name', (hw) => {
  test.each(cases)(
    '$model $method $schedule: every pass keeps the graph valid; tasks are a topological order',
    ({ model, method, schedule }) => {
      const trace: PassTrace[] = [];
      const step = compile(networkOf(model), hw, { method, copies: 3, batch: 4, schedule }, trace);
      expect(trace.map((t) => t.pass).slice(0, 3)).toEqual(['expand', 'fold-copy-invariant', 'fuse-elementwise']);
      for (const { pass, graph } of trace)
        expect({ pass, problems: graphProblems(graph) }).toEqual({ pass, problems: [] });
      const seen = new Set<string>();
      for (const task of step.tasks) {
        expect(task.deps.filter((d) => !seen.has(d))).toEqual([]);
        seen.add(task.id);
      }
      const ids = new Set(step.tasks.map((t) => t.id));
      expect(step.tasks.flatMap((t) => t.prevIterationDeps).filter((d) => !ids.has(d))).toEqual([]);
    },
  );
});

test('layer-wise and every noise storage keep the graph valid too', () => {
  for (const method of ['lr', 'alr'] as const) {
    for (const noiseStorage of method === 'lr'
      ? (['float', 'regenerate'] as const)
      : (['float', 'sign-bits', 'regenerate'] as const)) {
      const trace: PassTrace[] = [];
      compile(
        buildModel('resnet5'),
        quadCoreHw,
        { method, copies: 2, batch: 2, schedule: 'layer-pipelined', layerwise: true, noiseStorage },
        trace,
      );
      for (const { graph } of trace) expect(graphProblems(graph)).toEqual([]);
    }
  }
});

test('a method/schedule pair that does not exist is refused with the allowed schedules', () => {
  const invalid = methods.flatMap((method) =>
    scheduleKinds.filter((s) => !schedulesFor(method).includes(s)).map((schedule) => ({ method, schedule })),
  );
  expect(invalid.length).toBeGreaterThan(0);
  for (const { method, schedule } of invalid) {
    expect(() => compile(buildModel('mlp'), singleCoreHw, { method, copies: 2, batch: 2, schedule })).toThrow(
      ConfigError,
    );
  }
  expect(() =>
    compile(buildModel('mlp'), singleCoreHw, { method: 'bp', copies: 2, batch: 2, schedule: 'layer-pipelined' }),
  ).toThrow(/allowed: sequential, data-parallel, bp-sequential, gpipe, 1f1b/);
  expect(() =>
    compile(buildModel('mlp'), singleCoreHw, {
      method: 'lr',
      copies: 0,
      batch: 2,
      schedule: 'sequential',
      noiseStorage: 'sign-bits',
    }),
  ).toThrow(/--copies: found 0[\s\S]*--noise-storage/);
});

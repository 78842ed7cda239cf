// One compiled step for train, simulate and compile: for mlp, cnn and resnet5 with every method and
// every schedule train accepts, `train --print-graph`, `compile --print-graph` and `simulate
// --print-graph` print byte-identical graphs, with the same options and with only model and method
// (plus train's --dataset). The commands run in-process (one commander program, stdout captured).
import { Command } from 'commander';
import { afterEach, describe, expect, test, vi } from 'vitest';
import * as compileCommand from '../../src/cli/commands/compile.js';
import * as simulateCommand from '../../src/cli/commands/simulate.js';
import * as trainCommand from '../../src/cli/commands/train.js';
import { methodNames as methods, schedulesFor } from '../../src/compiler/methods/registry.js';
import { printGraph } from '../../src/ir/print-graph.js';
import { datasetEntry } from '../../src/train/datasets/load-dataset.js';
import { GraphCache } from '../../src/train/runtime/graph-cache.js';
import { defaultTrainConfig, type TrainConfig } from '../../src/train/train-config.js';
import { compiledTrainStep, methodOptions, stepScheduleOf, trainNetwork } from '../../src/train/train-setup.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs one alrflow command line in-process; its stdout, or the exit code and stderr it failed with. */
async function run(args: string[]): Promise<string> {
  const program = new Command('alrflow').exitOverride();
  for (const command of [trainCommand, compileCommand, simulateCommand]) command.register(program);
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Error(`exit ${String(code)}: ${err}`);
  });
  await program.parseAsync(args, { from: 'user' });
  vi.restoreAllMocks();
  return out;
}

const datasetOf = { mlp: 'mnist', cnn: 'cifar10', resnet5: 'cifar10' } as const;
const cases = (['mlp', 'cnn', 'resnet5'] as const).flatMap((model) =>
  methods.flatMap((method) => schedulesFor(method).map((schedule) => ({ model, method, schedule }))),
);

async function threeGraphs(model: keyof typeof datasetOf, options: string[]): Promise<string[]> {
  const step = ['--model', model, ...options, '--print-graph'];
  return [
    await run(['train', '--dataset', datasetOf[model], ...step]),
    await run(['compile', ...step]),
    await run(['simulate', ...step]),
  ];
}

describe('train, compile and simulate --print-graph print the same step', () => {
  test.each(cases)('$model $method $schedule', async ({ model, method, schedule }) => {
    const options = ['--method', method, '--schedule', schedule, '--copies', '4', '--batch', '8'];
    const [train, compile, simulate] = await threeGraphs(model, options);
    expect(train).toMatch(new RegExp(`^graph \\S+ method=${method} copies=${method === 'bp' ? 1 : 4} batch=8 `));
    expect(train).toBe(compile);
    expect(simulate).toBe(compile);
  });

  test.each(methods)('only model and method given: %s', async (method) => {
    for (const model of ['mlp', 'cnn', 'resnet5'] as const) {
      const [train, compile, simulate] = await threeGraphs(model, ['--method', method]);
      expect(train).toMatch(/^graph .* batch=64 /);
      expect(train).toBe(compile);
      expect(simulate).toBe(compile);
    }
  });

  test('the printed step declares its layout: micro-batches and staleness', async () => {
    const options = ['--method', 'alr', '--schedule', 'layer-pipelined', '--micro-batches', '2', '--staleness', '1'];
    const graphs = await threeGraphs('mlp', [...options, '--copies', '4', '--batch', '8']);
    for (const graph of graphs) expect(graph).toMatch(/^graph .* microBatches=2 staleness=1\n/);
    expect(graphs[0]).toBe(graphs[1]);
    expect(graphs[2]).toBe(graphs[1]);
  });

  test('simulate --cores N prints the step on N cores (the one it simulates)', async () => {
    const step = ['--model', 'mlp', '--method', 'alr', '--schedule', 'data-parallel', '--print-graph'];
    expect(await run(['simulate', ...step])).toMatch(/AllReduce .* participants=16 /);
    expect(await run(['simulate', ...step, '--cores', '4'])).toMatch(/AllReduce .* participants=4 /);
  });

  test('the comparison sees a difference: another batch, optimizer or noise storage prints another graph', async () => {
    const base = ['--model', 'mlp', '--method', 'alr', '--print-graph'];
    const graph = await run(['compile', ...base]);
    for (const other of [
      ['--batch', '32'],
      ['--optimizer', 'adam'],
      ['--noise-storage', 'float'],
    ])
      expect(await run(['compile', ...base, ...other]), other.join(' ')).not.toBe(graph);
  });
});

test("a dataset's declared shape (what train --print-graph builds from) is the shape its loader returns", () => {
  for (const name of ['iris', 'synthetic']) {
    const entry = datasetEntry(name);
    const loaded = entry.load({ limit: 8, testLimit: 8 });
    expect(entry.shape(), name).toEqual({ inputShape: loaded.inputShape, classes: loaded.classes });
  }
});

test('the runtime executes the graph train --print-graph prints (one micro-batch: the very graph)', async () => {
  const config: TrainConfig = {
    ...defaultTrainConfig,
    model: 'mlp',
    dataset: 'iris',
    method: 'alr',
    copies: 4,
    batch: 16,
    hidden: [8],
    backend: 'reference',
  };
  const printed = printGraph((await compiledTrainStep(config)).graph);
  const network = await trainNetwork(config, datasetEntry('iris').shape());
  const optimizer = { kind: config.optimizer, momentum: config.momentum };
  const graphs = new GraphCache(network, methodOptions(config), optimizer, stepScheduleOf(config).schedule);
  expect(printGraph(graphs.step(config.batch))).toBe(printed);
  expect(printed).toMatch(/^graph mlp-4-8-3 method=alr copies=4 batch=16 .* microBatches=1 staleness=0\n/);
});

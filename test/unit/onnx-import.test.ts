// ONNX import: a ResNet-18 built with torchvision's layout gives torchvision's parameter count and exact
// forward MACs (in process and through `alrflow models FILE.onnx --json`); shape arithmetic folds at
// import; an unsupported operator or a truncated file exits 2 naming it and writes nothing, in every
// command that reads a model (models, scalesim, simulate, compile, compare, train, probe, sweep).
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { importOnnxFile } from '../../src/models/importers/onnx-graph.js';
import { onnxWorkload } from '../../src/models/importers/onnx-workload.js';
import { buildCli } from '../fixtures/built-cli.js';
import { OnnxBuilder, resnet18Shape, resnetOnnx } from '../fixtures/onnx-builder.js';

const cli = buildCli();
afterAll(() => cli.remove());
const dir = mkdtempSync(join(tmpdir(), 'alrflow-onnx-'));
const resnet18 = join(dir, 'resnet18.onnx');
writeFileSync(resnet18, resnetOnnx({ ...resnet18Shape, weights: 'zeros' }));

describe('ResNet-18 at 224x224', () => {
  test('torchvision parameter count (BN running statistics excluded) and exact Conv+Gemm MACs', () => {
    const w = onnxWorkload(importOnnxFile(resnet18));
    expect(w.parameters).toBe(11_689_512);
    expect(w.forwardMacsPerSample).toBe(1_814_073_344);
    expect(w.paramLayers).toBe(41);
  });

  test('alrflow models FILE.onnx --json prints the same numbers', () => {
    const r = cli.run(['models', resnet18, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [row] = JSON.parse(r.stdout) as { parameters: number; forwardMacsPerSample: number; inputShape: number[] }[];
    expect(row).toMatchObject({
      parameters: 11_689_512,
      forwardMacsPerSample: 1_814_073_344,
      inputShape: [3, 224, 224],
    });
  });
});

test('PyTorch-style shape arithmetic (Shape, Gather, Unsqueeze, Concat, Reshape) folds to constants', () => {
  const file = join(dir, 'folded.onnx');
  writeFileSync(file, resnetOnnx({ size: 32, widths: [4, 8, 8, 8], blocks: 1, classes: 10, shapeArithmetic: true }));
  const onnx = importOnnxFile(file);
  expect(onnx.compute.map((n) => n.opType)).not.toContain('Shape');
  expect(onnx.compute.map((n) => n.opType)).not.toContain('Concat');
  expect(onnx.compute.filter((n) => n.opType === 'Reshape')).toHaveLength(1);
  expect(onnx.values.get(onnx.graph.outputs[0] ?? '')?.shape).toEqual([1, 10]);
});

test('a symbolic batch axis reads as the batch axis', () => {
  const b = new OnnxBuilder();
  const x = b.input('x', ['batch', 6]);
  const y = b.op('Gemm', [x, b.weight('w', [4, 6]), b.weight('b', [4])], { transB: 1 });
  b.output(y);
  const file = join(dir, 'symbolic.onnx');
  writeFileSync(file, b.encode());
  const onnx = importOnnxFile(file);
  expect(onnx.input.sampleShape).toEqual([6]);
  expect(onnxWorkload(onnx)).toEqual({ parameters: 28, paramLayers: 1, forwardMacsPerSample: 24 });
});

function lstmFile(): string {
  const b = new OnnxBuilder();
  const x = b.input('x', [5, 1, 8]);
  const [y] = b.node('LSTM', [x, b.weight('W', [1, 64, 8]), b.weight('R', [1, 64, 16])], { hidden_size: 16 }, 3);
  const z = b.op('Relu', [y as string]);
  const [w] = b.node('LSTM', [z, b.weight('W2', [1, 64, 16]), b.weight('R2', [1, 64, 16])], { hidden_size: 16 }, 3);
  b.op('GRU', [w as string]);
  b.output(w as string);
  const file = join(dir, 'lstm.onnx');
  writeFileSync(file, b.encode());
  return file;
}

/** Every command that reads a model, each given the output options it has, on `file`. */
function modelCommands(file: string, out: string): string[][] {
  const cfg = join(import.meta.dirname, '../fixtures/scalesim-cases/os32.cfg');
  const spec = join(dir, `sweep-${file.replace(/\W/g, '-')}.json`);
  const points = { hw: 'edge-npu', methods: ['alr'], copies: 2, schedules: ['sequential'], batch: 2, iterations: 1 };
  writeFileSync(spec, JSON.stringify({ ...points, models: [file] }));
  const files = (...names: string[]) =>
    names.flatMap((n) => [n.endsWith('.html') ? '--report' : '--json-file', join(out, n)]);
  return [
    ['models', file, '--json'],
    ['models', file, ...files('m.json')],
    ['scalesim', '--topology', file, '--print-topology'],
    ['scalesim', '--topology', file, '--config', cfg, '--out', out],
    ['simulate', '--model', file, ...files('s.json', 's.html')],
    ['compile', '--model', file, '--method', 'alr', ...files('c.json')],
    ['compare', '--model', file, ...files('cmp.json', 'cmp.html')],
    ['train', '--model', file, '--dataset', 'iris', '--method', 'bp', '--out', out],
    ['probe', '--model', file, '--dataset', 'iris', ...files('p.json', 'p.html')],
    ['sweep', '--spec', spec, '--out', out, '--report', join(dir, 'sweep.html')],
  ];
}

function refused(file: string, expectMessage: (stderr: string) => void): void {
  const before = readdirSync(dir).filter((f) => !f.startsWith('sweep-'));
  for (const args of modelCommands(file, join(dir, 'out'))) {
    const r = cli.run(args, { cwd: dir });
    expect(r.status, args.join(' ')).toBe(2);
    expect(r.stdout).toBe('');
    expectMessage(r.stderr);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(
      readdirSync(dir).filter((f) => !f.startsWith('sweep-')),
      args.join(' '),
    ).toEqual(before);
  }
}

describe('refusals exit 2 and write nothing, in every command that reads a model', () => {
  test('unsupported operators: every type with its count and first node', () => {
    refused(lstmFile(), (stderr) => {
      expect(stderr).toContain('LSTM: 2 nodes, first LSTM_0');
      expect(stderr).toContain('GRU: 1 node, first GRU_3');
      expect(stderr).not.toContain('Relu:');
    });
  }, 120_000);

  test('a truncated file names the file', () => {
    const bytes = resnetOnnx({ size: 32, widths: [4, 8, 8, 8], blocks: 1, classes: 10 });
    for (const cut of [0.3, 0.7, 0.99]) {
      const file = join(dir, `cut-${cut}.onnx`);
      writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * cut)));
      const r = cli.run(['models', file, '--json']);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(file);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    refused(join(dir, 'cut-0.7.onnx'), (stderr) => expect(stderr).toContain('cut-0.7.onnx: not a readable ONNX model'));
  }, 120_000);
});

test('a class-token expand (ConstantOfShape, Equal, Where, Expand on a shape) infers the shapes onnxruntime computes', async () => {
  const ort = await import('onnxruntime-node');
  const b = new OnnxBuilder(17);
  const x = b.input('x', [1, 6, 8]);
  const scalarZero = b.op('Constant', [], { value: { dims: [], values: [0], int64: true } });
  const batch = b.op('Unsqueeze', [b.op('Gather', [b.op('Shape', [x]), scalarZero], { axis: 0 }), b.ints('ax', [0])]);
  const target = b.op('Concat', [b.op('Gather', [b.op('Shape', [x]), b.ints('zero2', [0])]), b.ints('m1', [-1, -1])], {
    axis: 0,
  });
  const ones = b.op('ConstantOfShape', [b.op('Shape', [target])], { value: { dims: [1], values: [1], int64: true } });
  const minus = b.op('Mul', [ones, b.ints('neg', [-1])]);
  const shape = b.op('Where', [b.op('Equal', [target, minus]), ones, target]);
  const cls = b.op('Expand', [b.weight('cls_token', [1, 1, 8]), shape]);
  const tokens = b.op('Concat', [cls, x], { axis: 1 });
  const sliced = b.op('Slice', [tokens, b.ints('st', [1]), b.ints('en', [9]), b.ints('axs', [1])]);
  const out = b.op('Reshape', [sliced, b.op('Concat', [batch, b.ints('rest', [-1])], { axis: 0 })]);
  b.output(out, [1, 48]);
  const file = join(dir, 'cls.onnx');
  const bytes = b.encode();
  writeFileSync(file, bytes);
  const onnx = importOnnxFile(file);
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ x: new ort.Tensor('float32', new Float32Array(48), [1, 6, 8]) });
  for (const name of [tokens, sliced, out].slice(2))
    expect(onnx.values.get(name)?.shape).toEqual([...(result[name]?.dims ?? [])]);
  expect(onnx.values.get(tokens)?.shape).toEqual([1, 7, 8]);
  expect(onnx.values.get(sliced)?.shape).toEqual([1, 6, 8]);
  expect(onnx.compute.map((n) => n.opType)).toEqual(['Expand', 'Concat', 'Slice', 'Reshape']);
  expect(onnxWorkload(onnx).parameters).toBe(8);
});

// `alrflow scalesim --topology FILE.onnx`: a ResNet-18 built with torchvision's layout becomes SCALE-Sim's
// padded topology (one row per Conv and Gemm in graph order, padding inside the IFMAP, the Gemm as a 1x1
// conv), equal in every number to the hand-written padded ResNet-18 topology, and its COMPUTE_REPORT.csv
// equals the one the SCALE-Sim engine gives from that CSV.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { parseScaleSimConfig } from '../../src/hw/scalesim-cfg.js';
import { parseScaleSimTopology } from '../../src/models/importers/scalesim-topology.js';
import { computeReportCsv, simulateScaleSim } from '../../sim/scalesim.js';
import { buildCli } from '../fixtures/built-cli.js';
import { OnnxBuilder, resnet18Shape, resnetOnnx } from '../fixtures/onnx-builder.js';

const cli = buildCli();
afterAll(() => cli.remove());
const dir = mkdtempSync(join(tmpdir(), 'alrflow-onnx-scalesim-'));
const resnet18 = join(dir, 'resnet18.onnx');
writeFileSync(resnet18, resnetOnnx({ ...resnet18Shape, weights: 'zeros' }));
const fixtures = join(import.meta.dirname, '../fixtures');
const numbers = (csv: string): string[] =>
  csv
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split(',').slice(1).join(','));

test('--print-topology: the padded ResNet-18 topology, rows in graph order', () => {
  const r = cli.run(['scalesim', '--topology', resnet18, '--print-topology']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(numbers(r.stdout)).toEqual(numbers(readFileSync(join(fixtures, 'sim-resnet18.csv'), 'utf8')));
  expect(r.stdout.split('\n')[1]).toBe('Conv_0, 230, 230, 7, 7, 3, 64, 2,');
});

test('COMPUTE_REPORT.csv from the ONNX file equals the SCALE-Sim engine on the padded CSV', () => {
  for (const cfgName of ['os32.cfg', 'is16.cfg']) {
    const cfg = join(fixtures, 'scalesim-cases', cfgName);
    const out = join(dir, `out-${cfgName}`);
    const r = cli.run(['scalesim', '--topology', resnet18, '--config', cfg, '--out', out, '--quiet']);
    expect(r.status).toBe(0);
    const layers = parseScaleSimTopology(readFileSync(join(fixtures, 'sim-resnet18.csv'), 'utf8'), false);
    const expected = computeReportCsv(simulateScaleSim(parseScaleSimConfig(readFileSync(cfg, 'utf8')), layers));
    expect(readFileSync(join(out, 'COMPUTE_REPORT.csv'), 'utf8')).toBe(expected);
  }
});

test('a MatMul [1, 8, 9] x [9, 3] is a 1x1 conv on an 8x1 IFMAP; an asymmetric auto_pad conv pads its IFMAP', () => {
  const b = new OnnxBuilder(17, 'zeros');
  const x = b.input('x', [1, 4, 7, 9]);
  const y = b.op('Conv', [x, b.weight('w', [2, 4, 3, 2])], { strides: [2, 1], auto_pad: 'SAME_UPPER' });
  const z = b.op('MatMul', [b.op('Reshape', [y, b.ints('s', [1, 8, 9])]), b.weight('m', [9, 3])]);
  b.output(z);
  const file = join(dir, 'small.onnx');
  writeFileSync(file, b.encode());
  const r = cli.run(['scalesim', '--topology', file, '--print-topology']);
  expect(r.stderr).toBe('');
  expect(r.stdout.split('\n').slice(1)).toEqual([
    'Conv_0, 9, 10, 3, 2, 4, 2, 2, 1,',
    'MatMul_2, 8, 1, 1, 1, 9, 3, 1,',
    '',
  ]);
});

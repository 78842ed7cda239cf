// torchvision's own VisionTransformer export (test/fixtures/torch-vit-opset13.onnx and -opset17.onnx,
// written by `bench/onnx-torch-vit.sh fixture` with torch 1.13: image 14, patch 7, one block, width 8,
// two heads, MLP 16, parameters moved off torchvision's initialisation; torch's parameter count and
// logits in test/fixtures/torch-vit.json) imports: LayerNorm epsilon 1e-6 (decomposed at opset 13,
// LayerNormalization at 17) and nn.MultiheadAttention's layout (in_proj MatMul, three Slices, heads by
// Reshape + Transpose, Q scaled before Q K^T, out_proj Gemm, batch_first Transposes) become the token
// layers; `models FILE --json` gives torch's parameter count; the float64 forward equals onnxruntime-node's
// and torch's logits within 1e-4 relative; the runtime's first BP step from the file's initializers has
// onnxruntime's loss on the same batch (what `train --model FILE` starts from).
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { type Layer } from '../../src/models/layers.js';
import { workloadOf } from '../../src/models/workload.js';
import { buildCli } from '../fixtures/built-cli.js';
import { checkTorchVit, readTorchVitMeta } from '../fixtures/torch-vit.js';

const cli = buildCli();
afterAll(() => cli.remove());
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const meta = readTorchVitMeta(fixture('torch-vit.json'));

const flat = (layers: Layer[]): Layer[] => layers.flatMap((l) => (l.kind === 'residual' ? l.body : [l]));

test.each([13, 17])('opset %i: token layers, forward and first loss equal onnxruntime and torch', async (opset) => {
  const c = await checkTorchVit(fixture(`torch-vit-opset${opset}.onnx`), meta);
  const kinds = c.network.layers.map((l) => (l.kind === 'residual' ? l.body.map((b) => b.kind).join('+') : l.kind));
  expect(kinds).toEqual([
    'conv2d',
    'tokens',
    'class-token',
    'position-embedding',
    'layernorm+linear+attention+linear',
    'layernorm+linear+gelu+linear',
    'layernorm',
    'class-pool',
    'linear',
  ]);
  const layers = flat(c.network.layers);
  expect(layers.find((l) => l.kind === 'attention')).toMatchObject({ heads: meta.heads, causal: false });
  for (const norm of layers.filter((l) => l.kind === 'layernorm'))
    expect(norm).toMatchObject({ epsilon: Math.fround(1e-6) });
  expect(c.parameters).toBe(meta.parameters);
  expect(c.errorToOnnxruntime).toBeLessThan(1e-4);
  expect(c.errorToTorch).toBeLessThan(1e-4);
  expect(Math.abs(c.firstLoss - c.onnxruntimeLoss) / c.onnxruntimeLoss).toBeLessThan(1e-4);
});

test.each([13, 17])(
  "opset %i: models FILE --json gives torch's parameter count and the forward MACs",
  async (opset) => {
    const file = fixture(`torch-vit-opset${opset}.onnx`);
    const r = cli.run(['models', file, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const D = meta.hidden;
    const tokens = (meta.size / meta.patch) ** 2 + 1;
    const patchMacs = (tokens - 1) * D * 3 * meta.patch ** 2;
    const blockMacs = tokens * D * 3 * D + 2 * tokens * tokens * D + tokens * D * D + 2 * tokens * D * meta.mlp;
    const forwardMacsPerSample = patchMacs + meta.layers * blockMacs + D * meta.classes;
    // Graph-level layers: the patch Conv, per block two LayerNorms and four products, the final LayerNorm
    // and the head (the class token and position table are a Concat and an Add in the file).
    expect(JSON.parse(r.stdout)[0]).toMatchObject({
      parameters: meta.parameters,
      paramLayers: 1 + 6 * meta.layers + 2,
      forwardMacsPerSample,
      inputShape: [3, meta.size, meta.size],
      classes: meta.classes,
    });
    const { network } = await checkTorchVit(file, meta);
    expect(workloadOf(network)).toMatchObject({ parameters: meta.parameters, forwardMacsPerSample });
  },
);

// The workloads behind hw-models/README.md's validation table are the networks they claim to be:
// hw-models/validation/resnet50-v1.5.json is ResNet-50 v1.5 (torchvision's layout: 7x7 stem, 3-4-6-3
// bottlenecks, stride 2 in the 3x3 convolution, 1x1 projection shortcuts, 1000 classes), so its
// forward MACs per 224x224 image are torchvision's 4.09 G and its parameters torchvision's 25,557,032
// plus one bias per output channel of each of its 53 convolutions (this layer format gives every
// convolution a bias). The simulated-vs-published row itself is `npm run validate:gpu` (minutes).
import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { loadNetwork } from '../../src/models/load-network.js';
import { workloadOf } from '../../src/models/workload.js';

const dir = resolve(import.meta.dirname, '../../hw-models/validation');

test('resnet50-v1.5.json: ResNet-50 v1.5 MACs and parameters', async () => {
  const net = await loadNetwork(resolve(dir, 'resnet50-v1.5.json'));
  const w = workloadOf(net);
  expect(w.forwardMacsPerSample).toBe(4_089_184_256);
  // Output channels of the 53 convolutions: stem 64; per stage (blocks x (w + w + 4w)) + one 4w projection.
  const convBiases = 64 + [64, 128, 256, 512].reduce((s, c, i) => s + [3, 4, 6, 3][i]! * 6 * c + 4 * c, 0);
  expect(convBiases).toBe(26_560);
  expect(w.parameters).toBe(25_557_032 + convBiases);
  expect(w.paramLayers).toBe(53 + 53 + 1);
});

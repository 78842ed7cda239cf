// Token reachability (src/models/token-reach.ts) on the shipped transformers and small sequences: which
// parametrised layers have output tokens that cannot reach the loss, and which tokens can.
import { expect, test } from 'vitest';
import type { Layer, Network } from '../../src/models/layers.js';
import { liveTokensOf, zeroUnreachable } from '../../src/models/token-reach.js';
import { gpt, vitTiny } from '../../src/models/transformer-builders.js';

test('vit-tiny: every parametrised layer after the last attention reaches the loss on the class token alone', () => {
  const live = liveTokensOf(vitTiny());
  expect([...live.keys()].sort()).toEqual(['block2.fc1', 'block2.fc2', 'block2.ln2', 'block2.proj', 'ln']);
  expect(live.get('block2.fc1')).toEqual({ tokens: 17, features: 128, live: [0] });
  expect(live.get('ln')).toEqual({ tokens: 17, features: 64, live: [0] });
});

test('a decoder labelling every token reaches the loss everywhere', () => {
  const decoder = gpt({ name: 'tiny-gpt', sequence: 6, vocabulary: 5, width: 8, heads: 2, mlp: 12, blocks: 2 });
  expect(liveTokensOf(decoder).size).toBe(0);
});

function sequence(pool: Layer, causal: boolean): Network {
  return {
    name: 'sequence',
    inputShape: [5, 4],
    classes: 3,
    layers: [
      { kind: 'linear', name: 'qkv', inFeatures: 4, outFeatures: 12 },
      { kind: 'attention', name: 'attention', heads: 2, causal },
      {
        kind: 'residual',
        name: 'mlp',
        body: [
          { kind: 'layernorm', name: 'ln', features: 4 },
          { kind: 'linear', name: 'fc', inFeatures: 4, outFeatures: 6 },
          { kind: 'gelu', name: 'gelu' },
          { kind: 'linear', name: 'fc2', inFeatures: 6, outFeatures: 4 },
        ],
      },
      pool,
      { kind: 'linear', name: 'head', inFeatures: 4, outFeatures: 3 },
    ],
  };
}

test('class pooling after a residual block: its body reaches the loss on token 0; mean pooling reaches every token', () => {
  const live = liveTokensOf(sequence({ kind: 'class-pool', name: 'pool' }, false));
  expect([...live.keys()].sort()).toEqual(['fc', 'fc2', 'ln']);
  expect(live.get('fc')).toEqual({ tokens: 5, features: 6, live: [0] });
  expect(liveTokensOf(sequence({ kind: 'mean-pool', name: 'pool' }, false)).size).toBe(0);
});

test('a causal attention before the class token: tokens up to the last reached one reach the loss', () => {
  const network: Network = {
    name: 'causal-then-class',
    inputShape: [4, 4],
    classes: 3,
    layers: [
      { kind: 'linear', name: 'qkv1', inFeatures: 4, outFeatures: 12 },
      { kind: 'attention', name: 'a1', heads: 1, causal: true },
      { kind: 'linear', name: 'qkv2', inFeatures: 4, outFeatures: 12 },
      { kind: 'attention', name: 'a2', heads: 1, causal: true },
      { kind: 'class-pool', name: 'pool' },
      { kind: 'linear', name: 'head', inFeatures: 4, outFeatures: 3 },
    ],
  };
  // Token 0 of a2's output reads token 0 alone, so qkv2 reaches the loss on token 0, and so does qkv1.
  const live = liveTokensOf(network);
  expect(live.get('qkv2')).toEqual({ tokens: 4, features: 12, live: [0] });
  expect(live.get('qkv1')).toEqual({ tokens: 4, features: 12, live: [0] });
});

test('zeroUnreachable zeroes every row on the dropped tokens only', () => {
  const values = Float64Array.from({ length: 2 * 3 * 2 }, (_, i) => i + 1);
  zeroUnreachable(values, { tokens: 3, features: 2, live: [1] });
  expect([...values]).toEqual([0, 0, 3, 4, 0, 0, 0, 0, 9, 10, 0, 0]);
});

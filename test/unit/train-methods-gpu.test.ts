// Short training runs on the GPU backends (headlessgl: gpu.js on headless-gl, under xvfb-run in CI;
// browser-webgpu / browser-webgl2: gpu.js inside headless Chromium): BP, LR and ALR on Iris through
// the real train loop, with device-resident tensors, asserting the backend that actually ran. A
// backend that cannot run here is skipped with its reason printed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { detectBackend } from '../../kernels/backends.js';
import type { BackendName } from '../../kernels/names.js';
import { shortRunTests } from '../fixtures/train-short-runs.js';

const GPU_BACKENDS: readonly BackendName[] = ['headlessgl', 'browser-webgpu', 'browser-webgl2'];

for (const backend of GPU_BACKENDS) {
  const status = await detectBackend(backend);
  if (!status.works) console.log(`train-methods-gpu: ${backend} skipped: ${status.reason}`);
  describe.skipIf(!status.works)(`short runs on ${backend}`, () => {
    shortRunTests(backend, [
      { dataset: 'iris', method: 'bp', epochs: 12, accuracy: 0.85 },
      { dataset: 'iris', method: 'lr', epochs: 12, accuracy: 0.85 },
      { dataset: 'iris', method: 'alr', epochs: 12, accuracy: 0.85 },
    ]);
    test(`alrflow train --backend ${backend} --dataset iris exits 0 and its report names ${backend}`, () => {
      const out = join(mkdtempSync(join(tmpdir(), 'alrflow-gpu-cli-')), 'run');
      const args = ['train', '--model', 'mlp', '--dataset', 'iris', '--method', 'alr', '--copies', '8', '--batch', '16', '--epochs', '3', '--backend', backend, '--out', out];
      const r = spawnSync('node', ['src/cli/alrflow.mjs', ...args], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(out, 'train-report.json'), 'utf8')) as { summary?: { backend?: string } };
      expect(JSON.stringify(report)).toContain(`"backend":"${backend}"`);
    }, 60_000);
  });
}

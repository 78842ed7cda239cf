// Short training runs on the GPU backends (headlessgl: gpu.js on headless-gl, under xvfb-run in CI;
// browser-webgpu / browser-webgl2: gpu.js inside headless Chromium): BP, LR and ALR on Iris through
// the real train loop (and the CLI), with device-resident tensors, asserting the backend that ran. A
// backend that cannot run here is skipped with its reason printed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { detectBackend } from '../../kernels/backends.js';
import type { BackendName } from '../../kernels/names.js';
import type { Method } from '../../src/compiler/methods/names.js';
import { shortRunTests } from '../fixtures/train-short-runs.js';

/**
 * headlessgl runs all three methods and the CLI; each browser backend one ALR run (every call is a
 * page round trip on SwiftShader: ~25 s a run on a loaded 2-core machine, where headlessgl takes 3 s).
 */
const GPU_BACKENDS: readonly { backend: BackendName; methods: readonly Method[]; cli: boolean }[] = [
  { backend: 'headlessgl', methods: ['bp', 'lr', 'alr'], cli: true },
  { backend: 'browser-webgpu', methods: ['alr'], cli: false },
  { backend: 'browser-webgl2', methods: ['alr'], cli: false },
];

for (const { backend, methods, cli } of GPU_BACKENDS) {
  const status = await detectBackend(backend);
  if (!status.works) console.log(`train-methods-gpu: ${backend} skipped: ${status.reason}`);
  describe.skipIf(!status.works)(`short runs on ${backend}`, () => {
    shortRunTests(
      backend,
      methods.map((method) => ({ dataset: 'iris', method, epochs: 12, accuracy: 0.85 })),
    );
    test.runIf(cli)(
      `alrflow train --backend ${backend} --dataset iris exits 0 and its report names ${backend}`,
      () => {
        const out = join(mkdtempSync(join(tmpdir(), 'alrflow-gpu-cli-')), 'run');
        const args = [
          'train',
          '--model',
          'mlp',
          '--dataset',
          'iris',
          '--method',
          'alr',
          '--copies',
          '8',
          '--batch',
          '16',
          '--epochs',
          '3',
          '--backend',
          backend,
          '--out',
          out,
        ];
        const r = spawnSync('node', ['src/cli/alrflow.mjs', ...args], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const report = JSON.parse(readFileSync(join(out, 'train-report.json'), 'utf8')) as {
          summary?: { backend?: string; kernelBackends?: Record<string, string> };
        };
        expect(JSON.stringify(report)).toContain(`"backend":"${backend}"`);
        // The report names the backend of each kernel: the MLP's ALR step runs every one on the GPU backend.
        expect(Object.values(report.summary?.kernelBackends ?? {}).length).toBeGreaterThan(3);
        expect(new Set(Object.values(report.summary?.kernelBackends ?? {}))).toEqual(new Set([backend]));
      },
      60_000,
    );
  });
}

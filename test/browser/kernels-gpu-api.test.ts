// The kernel parity suite in headless Chromium (playwright-core + Debian's chromium), the only place
// gpu.js's real GLSL (webgl2) and WGSL (webgpu, SwiftShader via --enable-unsafe-webgpu) code paths
// run on a machine without a GPU: every kernel against the float64 reference, asserting the mode
// that ran; and a kernel chain in gpu.js pipeline mode whose intermediates stay on the GPU (a
// Texture on webgl2, a WebGPU buffer handle on webgpu), timed against the same chain with a readback
// and upload between kernels. Skipped, with the reason printed, when chromium is absent.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPUJS_REFERENCE_KERNELS } from '../../kernels/reference-fallbacks.js';
import { KERNEL_NAMES, type KernelName } from '../../kernels/names.js';
import type { PipelineChainResult } from './kernels-entry.js';
import { type KernelsPage, serveKernelsPage } from './kernels-page.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.log(`[browser] kernel suite skipped: ${CHROMIUM} not found (hint: apt-get install -y chromium)`);

// playwright launches every browser on a fresh temporary profile (it refuses --user-data-dir).
const FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
];

describe.skipIf(!hasChromium)(
  hasChromium
    ? 'gpu.js kernels in headless Chromium'
    : `gpu.js kernels in headless Chromium - SKIPPED: ${CHROMIUM} not found`,
  () => {
    let browser: Browser;
    let page: KernelsPage;
    beforeAll(async () => {
      page = await serveKernelsPage();
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    });
    afterAll(async () => {
      await browser?.close();
      await page?.close();
    });

    for (const mode of ['webgl2', 'webgpu'] as const) {
      it(`every kernel on ${mode} matches the float64 reference within 1e-5 + 1e-4 |want| (noise: the WGSL/GLSL cos accuracy)`, async () => {
        const tab = await browser.newPage();
        await tab.goto(page.url);
        const results = await tab.evaluate(
          async (m) =>
            (
              globalThis as unknown as {
                runKernelParity(
                  mode: string,
                ): Promise<{ kernel: string; ratio: number; ran: string[]; error?: string }[]>;
              }
            ).runKernelParity(m),
          mode,
        );
        await tab.close();
        console.log(
          `[browser] ${mode}: ${results.map((r) => `${r.kernel} ${r.error ?? r.ratio.toFixed(3)} [${r.ran.join(',')}]`).join('; ')}`,
        );
        expect(results.map((r) => r.kernel)).toEqual([...KERNEL_NAMES]);
        for (const r of results) {
          expect(r.error, r.kernel).toBeUndefined();
          // Every kernel runs in the gpu.js mode asked for (GPUJS_REFERENCE_KERNELS is empty).
          expect(r.ran, r.kernel).toEqual(GPUJS_REFERENCE_KERNELS.has(r.kernel as KernelName) ? [] : [mode]);
          expect(r.ratio, r.kernel).toBeLessThanOrEqual(1);
        }
      });

      it(`${mode}: matmul-a-bt -> bias-activation -> matmul-a-bt keeps its intermediates on the GPU and matches the float64 reference`, async () => {
        const tab = await browser.newPage();
        await tab.goto(page.url);
        const r = await tab.evaluate(
          async (m) =>
            (
              globalThis as unknown as { runPipelineChain(mode: string): Promise<PipelineChainResult> }
            ).runPipelineChain(m),
          mode,
        );
        await tab.close();
        const share = (r.hostMs - r.pipelineMs) / r.hostMs;
        console.log(
          `[browser] ${mode} pipeline chain: intermediates ${r.handles.map((h) => h.kind).join(', ')}; worst ${r.ratio.toFixed(3)}; pipeline ${r.pipelineMs.toFixed(2)} ms vs readback between kernels ${r.hostMs.toFixed(2)} ms (transfers ${(100 * share).toFixed(0)}% of the non-pipelined chain)`,
        );
        expect(r.ran).toEqual([mode]);
        for (const h of r.handles) {
          expect(h.isHandle).toBe(true);
          // gpu.js's pipeline result: a Texture on the GL backends; on webgpu its counterpart, a GPU buffer handle.
          if (mode === 'webgl2') expect(h.texture, h.kind).toBe(true);
          else expect(h.kind).toBe('WebGPUBufferResult');
        }
        expect(r.ratio).toBeLessThanOrEqual(1);
      });
    }
  },
);

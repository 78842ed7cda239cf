// Entry of the device check's Node side (bundled by pack.sh into the kit as app/check.mjs, run by
// run.sh with the carried Node): `route NAME` probes one route to the GPU, `parity MODE...` runs every
// gpu.js kernel in each mode against the float64 reference, `bench BACKEND [--small]` times the
// benchmark shapes, each printing one JSON document on stdout (exit code: pass 0, fail 1); `summary OUT`
// prints the summary lines of the JSON files run.sh left in OUT.
import { runKernelParity } from '../../test/browser/kernels-entry.js';
import type { GpujsMode } from '../../kernels/gpujs/gpujs-context.js';
import { type BackendName, parseBackendChoice } from '../../kernels/backends.js';
import { GPUJS_HOST_KERNELS } from '../../kernels/gpujs/noise-inject.js';
import type { KernelName } from '../../kernels/names.js';
import { benchBackend, benchCases } from './kernel-bench.js';
import { probeRoute, ROUTES, type Route } from './route-probe.js';
import { summaryLines } from './summary.js';

/** The gpu.js mode a kernel must report: none for the noise kernels the CPU modes draw on the host (host-noise.ts). */
function expectedRan(mode: string, kernel: string): string {
  const host = (mode === 'webasm' || mode === 'cpu') && GPUJS_HOST_KERNELS.has(kernel as KernelName);
  return host ? '' : mode;
}

async function parity(modes: string[]): Promise<number> {
  const results = [];
  for (const mode of modes) results.push({ mode, kernels: await runKernelParity(mode as GpujsMode) });
  const bad = (mode: string, k: { kernel: string; ratio: number; ran: string[] }): boolean =>
    !(k.ratio <= 1) || k.ran.join() !== expectedRan(mode, k.kernel);
  const failed = results.flatMap((r) => r.kernels.filter((k) => bad(r.mode, k)).map((k) => `${r.mode} ${k.kernel}`));
  console.log(JSON.stringify({ results, failed }));
  return failed.length === 0 ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'route': {
      if (!(ROUTES as readonly string[]).includes(rest[0] ?? ''))
        throw new Error(`route: expected one of ${ROUTES.join(', ')}, got "${rest[0] ?? ''}"`);
      console.log(JSON.stringify(await probeRoute(rest[0] as Route)));
      return 0;
    }
    case 'parity':
      return parity(rest);
    case 'bench': {
      const backend = parseBackendChoice(rest[0] ?? '') as BackendName;
      const small = rest.includes('--small');
      console.log(JSON.stringify({ backend, rows: await benchBackend(backend, benchCases(small), small ? 2 : 5) }));
      return 0;
    }
    case 'summary':
      console.log(summaryLines(rest[0] ?? '.').join('\n'));
      return 0;
    default:
      throw new Error(`check: unknown command "${command ?? ''}"; allowed: route, parity, bench, summary`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`check: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

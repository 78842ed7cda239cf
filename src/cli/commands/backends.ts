// `alrflow backends`: every kernel backend, whether it works on this machine, its probe speed
// (matmul GFLOP/s on a short probe), which one `--backend auto` picks, and why the others cannot run
// (with what to install, e.g. headless-gl's build packages), and the kernels each runs with the
// float64 reference code instead of its own version (referenceFallbacks).
import type { Command } from 'commander';
import { action } from '../action.js';
import { addJsonOptions, checkJsonFlags, type JsonFlags, jsonOrTable } from '../output.js';

export function register(program: Command): void {
  addJsonOptions(
    program
      .command('backends')
      .description('list the kernel backends: which work here, their probe speed, and why not'),
    'the backend list',
  ).action(
    action(async (opts: JsonFlags) => {
      checkJsonFlags(opts);
      const { detectAll } = await import('../../../kernels/backends.js');
      const { referenceFallbacks } = await import('../../../kernels/reference-fallbacks.js');
      const { chooseAuto, probeBackend, PROBE_METHOD } = await import('../../../kernels/registry.js');
      const statuses = await detectAll();
      const auto = await chooseAuto();
      const probes = [...auto.probes];
      // auto may leave the browser backends out (autoCandidates); `backends` still measures every one that works.
      for (const s of statuses)
        if (s.works && !probes.some((p) => p.backend === s.backend)) probes.push(await probeBackend(s.backend));
      const rows = statuses.map((s) => ({
        ...s,
        probeGflops: probes.find((p) => p.backend === s.backend)?.gflops ?? null,
        auto: s.backend === auto.backend,
        referenceFallbacks: referenceFallbacks(s.backend),
      }));
      jsonOrTable({ probe: PROBE_METHOD, auto: auto.backend, backends: rows }, opts, () => {
        const lines = rows.map((r) => {
          const speed = r.probeGflops === null ? '' : `${r.probeGflops.toFixed(2).padStart(7)} GFLOP/s`;
          const fallbacks = r.referenceFallbacks.length > 0 ? `  (reference: ${r.referenceFallbacks.join(', ')})` : '';
          const state = r.works
            ? `works  ${speed}  ${r.engine}${r.auto ? '  <- auto' : ''}${fallbacks}`
            : `no     ${r.reason}${fallbacks}`;
          return `${r.backend.padEnd(14)} ${state}\n`;
        });
        return `probe: ${PROBE_METHOD}\n${lines.join('')}`;
      });
    }),
  );
}

// SCALE-Sim v2's own COMPUTE_REPORT.csv outputs (test/fixtures/scalesim-cases, copied from
// shared/reference) against `alrflow scalesim`'s model: exact Total Cycles for stall-free (CALC)
// runs, utilisations to 1e-6 relative, and stall cycles within 10% under a user bandwidth.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseScaleSimConfig } from '../../src/hw/scalesim-cfg.js';
import { parseScaleSimTopology } from '../../src/models/importers/scalesim-topology.js';
import { computeReportCsv, parseComputeReportCsv, simulateScaleSim } from '../../sim/scalesim.js';

const dir = join(import.meta.dirname, '../fixtures/scalesim-cases');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.COMPUTE_REPORT.csv'))
  .map((f) => {
    const m = /^(.*)_(conv|gemm)\.COMPUTE_REPORT\.csv$/.exec(f)!;
    return { cfg: m[1]!, kind: m[2] as 'conv' | 'gemm', file: f };
  });

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.each(cases)('$cfg on $kind topology', ({ cfg, kind, file }) => {
  const config = parseScaleSimConfig(readFileSync(join(dir, `${cfg}.cfg`), 'utf8'), `${cfg}.cfg`);
  const layers = parseScaleSimTopology(readFileSync(join(dir, `topo_${kind}.csv`), 'utf8'), kind === 'gemm');
  const golden = parseComputeReportCsv(readFileSync(join(dir, file), 'utf8'));
  const ours = parseComputeReportCsv(computeReportCsv(simulateScaleSim(config, layers)));

  test('one row per layer', () => expect(ours.length).toBe(golden.length));

  test.each(golden.map((g, i) => ({ g, i })))('layer $i', ({ g, i }) => {
    const o = ours[i]!;
    expect(rel(o.mappingEfficiencyPercent, g.mappingEfficiencyPercent)).toBeLessThan(1e-6);
    expect(rel(o.computeUtilPercent, g.computeUtilPercent)).toBeLessThan(1e-6);
    if (config.interfaceBandwidth === 'CALC') {
      expect(o.totalCycles).toBe(g.totalCycles);
      expect(o.stallCycles).toBe(0);
      expect(rel(o.overallUtilPercent, g.overallUtilPercent)).toBeLessThan(1e-6);
    } else {
      expect(Math.abs(o.stallCycles - g.stallCycles)).toBeLessThanOrEqual(0.1 * g.stallCycles);
      expect(o.totalCycles - o.stallCycles).toBe(g.totalCycles - g.stallCycles);
    }
  });
});

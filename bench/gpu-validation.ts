// The GPU validation table of hw-models/README.md (npm run validate:gpu): simulates each row and
// prints simulated, measured or published, and the error. Rows: the BP step of one 8192x8192 bf16
// linear layer at batch 8192 (TFLOP/s), a 1 GiB device copy (TB/s read + written), and a ResNet-50
// v1.5 BP step at batch 256 (images/s; about 3 minutes on 2 cores, most of it the core-count search).
// For the ResNet-50 row it also prints the bytes per pair of levels, the figures behind its error.
import {
  copyTbPerSecond,
  gemmTflops,
  resnet50A100ImagesPerSecond,
  resnet50A100Source,
  resnet50ImagesPerSecond,
} from '../sim/validate-gpu.js';
import { loadHwModel } from '../src/hw/load.js';

const row = (hw: string, workload: string, simulated: number, unit: string, measured?: number): string => {
  const error = measured === undefined ? '—' : `${(((simulated - measured) / measured) * 100).toFixed(1)} %`;
  return `${hw.padEnd(10)} ${workload.padEnd(34)} ${simulated.toPrecision(4).padStart(8)} ${unit.padEnd(9)} measured ${measured === undefined ? '—' : measured} error ${error}`;
};

async function main(): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(row('h100-like', 'BP step, 8192x8192 bf16 layer', await gemmTflops('h100-like'), 'TFLOP/s', 790));
  out(row('a100-like', 'BP step, 8192x8192 bf16 layer', await gemmTflops('a100-like'), 'TFLOP/s'));
  out(row('h100-like', 'device copy of 1 GiB', copyTbPerSecond(loadHwModel('h100-like'), 2 ** 30), 'TB/s', 3.0));
  out(row('a100-like', 'device copy of 1 GiB', copyTbPerSecond(loadHwModel('a100-like'), 2 ** 30), 'TB/s'));
  const r50 = await resnet50ImagesPerSecond('a100-like');
  out(
    row('a100-like', 'ResNet-50 v1.5 BP step, batch 256', r50.imagesPerSecond, 'images/s', resnet50A100ImagesPerSecond),
  );
  out(`  published: ${resnet50A100Source}`);
  const c = r50.report.coreChoice;
  if (c)
    out(
      `  cores used: ${c.used} of ${c.available} (${c.candidates.map((k) => `${k.cores}: ${k.cyclesPerIteration}`).join(', ')} cycles)`,
    );
  out(`  bound: ${r50.report.bound.kind}, simulated / bound ${r50.report.bound.ratio.toFixed(2)}`);
  for (const p of r50.report.trafficByLevelPair ?? []) {
    const classes = Object.entries(p.bytesByClass).map(([k, v]) => `${k} ${((v ?? 0) / 1e9).toFixed(2)}`);
    out(`  ${p.from} -> ${p.to}: ${(p.bytesPerIteration / 1e9).toFixed(2)} GB per iteration (${classes.join(', ')})`);
  }
}

void main();

// `alrflow hw calibrate`'s work: measure this machine through one backend's kernels, fit a hardware
// model to it, validate the model with the hardware loader (so the file is one `--hw` accepts), and
// write it; an existing file is kept unless `force`. Returns the fit's per-kernel check.
import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError } from '../../errors.js';
import { parseHwData } from '../../hw/load.js';
import { fitHostModel, type FitReport } from './fit-host-model.js';
import { measureHost } from './measure-host.js';

export async function calibrateHost(backend: string, out: string, force: boolean, progress?: (line: string) => void): Promise<FitReport> {
  if (existsSync(out) && !force) throw new ConfigError([`--out ${out}: the file exists; allowed: a new path, or --force to overwrite it`]);
  const fit = fitHostModel(await measureHost(backend, progress), basename(out).replace(/\.json$/, ''), new Date());
  const parsed = parseHwData(fit.file, out);
  if (!parsed.ok) throw new Error(`hw calibrate built a model the loader refuses:\n${parsed.problems.join('\n')}`);
  writeFileSync(out, `${JSON.stringify(fit.file, null, 2)}\n`);
  return fit;
}

// `alrflow hw calibrate`'s work: measure this machine through one backend's kernels, fit a hardware
// model to it, validate the model with the hardware loader (so the file is one `--hw` accepts), and
// write it atomically; the output path is checked before measuring (an existing file is kept unless
// `force`; a read-only or file-blocked folder is refused at once). Returns the fit's per-kernel check.
import { basename } from 'node:path';
import { parseHwData } from '../../hw/load.js';
import { checkOutputPath, writeFileAtomic } from '../../output-file.js';
import { fitHostModel, type FitReport } from './fit-host-model.js';
import { measureHost } from './measure-host.js';

export async function calibrateHost(
  backend: string,
  out: string,
  force: boolean,
  progress?: (line: string) => void,
): Promise<FitReport> {
  checkOutputPath('--out', out, 'file', { force });
  const fit = fitHostModel(await measureHost(backend, progress), basename(out).replace(/\.json$/, ''), new Date());
  const parsed = parseHwData(fit.file, out);
  if (!parsed.ok) throw new Error(`hw calibrate built a model the loader refuses:\n${parsed.problems.join('\n')}`);
  writeFileAtomic(out, `${JSON.stringify(fit.file, null, 2)}\n`);
  return fit;
}

// `alrflow start` replaces its own report.json / report.html but nothing a user saved: a JSON file
// is ours when its `kind` is an alrflow report kind, an HTML page when it names alrflow.
import { readFileSync } from 'node:fs';
import { writtenByAlrflow } from '../report/sim-report-io.js';

export function alrflowWrote(path: string): boolean {
  if (path.endsWith('.json')) return writtenByAlrflow(path);
  try {
    return readFileSync(path, 'utf8').includes('alrflow');
  } catch {
    return false;
  }
}

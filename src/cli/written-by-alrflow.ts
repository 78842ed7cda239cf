// `alrflow start` replaces its own report.json / report.html but nothing a user saved: a JSON file
// is ours when its `kind` is an alrflow report kind, an HTML page when it names alrflow.
import { readFileSync } from 'node:fs';
import { reportKinds } from '../report/report-file.js';

/** True when `path` holds JSON whose `kind` is one of alrflow's report kinds. */
function writtenByAlrflow(path: string): boolean {
  try {
    const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const kind = typeof data === 'object' && data !== null ? (data as { kind?: unknown }).kind : undefined;
    return typeof kind === 'string' && (reportKinds as string[]).includes(kind);
  } catch {
    return false;
  }
}

export function alrflowWrote(path: string): boolean {
  if (path.endsWith('.json')) return writtenByAlrflow(path);
  try {
    return readFileSync(path, 'utf8').includes('alrflow');
  } catch {
    return false;
  }
}

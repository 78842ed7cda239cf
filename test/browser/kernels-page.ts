// Serves the browser kernel suite: kernels-entry.ts bundled into a page (kernels/browser/page-server.ts).
// A test helper, not a test.
import { fileURLToPath } from 'node:url';
import { servePage, type ServedPage } from '../../kernels/browser/page-server.js';

export type KernelsPage = ServedPage;

export function serveKernelsPage(): Promise<KernelsPage> {
  return servePage(fileURLToPath(new URL('./kernels-entry.ts', import.meta.url)), 'alrflow kernels');
}

// Entry of compare's worker threads when alrflow runs from its TypeScript sources (tsx, vitest):
// worker threads do not inherit the tsx loader of the main thread, so this registers it and then
// loads compare-worker.ts. The built command starts dist/compare-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./compare-worker.ts');

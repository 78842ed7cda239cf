// Entry of a piscina worker thread. Worker threads do not inherit the tsx loader the CLI (or vitest)
// registered on the main thread, so this plain .mjs registers tsx first and then imports the
// TypeScript evaluator module named in workerData. Piscina awaits the default export (a promise of
// the handler), so the first task waits for the import.
import { register } from 'tsx/esm/api';
import { workerData } from 'piscina';

register();

export default (async () => {
  const mod = await import(workerData.evaluatorUrl);
  if (typeof mod.evaluatePoint !== 'function') {
    throw new Error(`${workerData.evaluatorUrl} exports no evaluatePoint(point) function`);
  }
  return mod.evaluatePoint;
})();

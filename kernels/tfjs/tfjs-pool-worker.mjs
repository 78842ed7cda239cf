// Entry of a tfjs-wasm pool worker thread (tfjs-worker-pool.ts). Worker threads do not inherit the
// tsx loader of the main thread, so this plain .mjs registers tsx and then imports the TypeScript
// task module named in workerData; piscina awaits the default export (a promise of the handler),
// so the first block waits until TF.js's wasm backend has loaded in this thread.
import { register } from 'tsx/esm/api';
import { workerData } from 'piscina';

register();

export default (async () => {
  const mod = await import(workerData.taskUrl);
  const handler = await mod.default;
  if (typeof handler !== 'function')
    throw new Error(`${workerData.taskUrl}: default export is not a block handler function`);
  return handler;
})();

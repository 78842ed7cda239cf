// npm postinstall note: npm drops the optional `gl` package silently when its native build fails
// (missing build packages), so this says so once at install and names what to install. It only
// reports: it always exits 0, so an install never fails because of headless-gl.
import { createRequire } from 'node:module';

const packages = 'libxi-dev libglu1-mesa-dev libglew-dev pkg-config build-essential python3 xvfb';
const require = createRequire(import.meta.url);
let problem = null;
try {
  require('gl');
} catch (err) {
  problem = String(err?.message ?? err).split('\n')[0];
}
if (problem) {
  process.stderr.write(
    `alrflow: the headlessgl kernel backend is unavailable: gl's native build did not run or failed (${problem}).\n` +
      `  Everything else works. To enable it on Debian/Ubuntu: sudo apt-get install -y ${packages}; then rerun npm ci.\n` +
      '  "alrflow backends" lists every backend and why one cannot run.\n',
  );
}

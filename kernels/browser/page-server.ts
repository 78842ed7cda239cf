// Serves one bundled script in a blank page on 127.0.0.1 with cross-origin isolation headers: the
// page the browser backends (and test/browser) load into headless Chromium. The entry is bundled
// for the browser with esbuild (gpu.js resolves to its browser build through its package.json
// "browser" field). Not a kernel and not the device itself (browser-device.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

export interface ServedPage {
  url: string;
  close(): Promise<void>;
}

/** Bundles `entryPath` (a .ts file) and serves it as /page.js in a page titled `title`. */
export async function servePage(entryPath: string, title: string): Promise<ServedPage> {
  const bundle = await build({
    entryPoints: [entryPath],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title><script src="/page.js"></script>`;
  const server: Server = createServer((req, res) => {
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (req.url === '/page.js') res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(js);
    else res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

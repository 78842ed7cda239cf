// Serves the browser kernel suite: bundles kernels-entry.ts for the browser with esbuild (gpu.js
// resolves to its browser build through its package.json "browser" field) and serves it with a tiny
// page on 127.0.0.1 with cross-origin isolation headers. A test helper, not a test.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface KernelsPage {
  url: string;
  close(): Promise<void>;
}

export async function serveKernelsPage(): Promise<KernelsPage> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./kernels-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  const html = '<!doctype html><meta charset="utf-8"><title>alrflow kernels</title><script src="/kernels.js"></script>';
  const server: Server = createServer((req, res) => {
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (req.url === '/kernels.js') res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(js);
    else res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

// A reader that closes alrflow's stdout before the command writes (`alrflow backends | head -2`)
// ends the command with exit 0 and nothing on stderr, not an EPIPE trace.
import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';

test('backends with its stdout closed by the reader exits 0 without a trace', async () => {
  const child = spawn('node', ['src/cli/alrflow.mjs', 'backends'], { cwd: new URL('../..', import.meta.url).pathname });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).toBe('');
  expect(code).toBe(0);
}, 60_000);

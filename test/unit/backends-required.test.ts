// `alrflow backends --json` on this machine, from the sources and from the built command (the shipped
// one: it must find the files the backends load at run time too), lists every backend named in
// ALRFLOW_REQUIRE_BACKENDS (comma-separated; .ci/run sets it: headlessgl and the browser backends)
// as working. Without the variable it only checks that the JSON lists every backend with a reason
// for each one that fails. Every backend lists referenceFallbacks (an array): empty on every gpu.js mode.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { BACKEND_NAMES, isBrowserBackend, isGpujsBackend } from '../../kernels/names.js';
import { buildCli } from '../fixtures/built-cli.js';

const required = (process.env['ALRFLOW_REQUIRE_BACKENDS'] ?? '').split(',').filter((b) => b.length > 0);

function expectBackends(r: SpawnSyncReturns<string>): void {
  expect(r.status, r.stderr).toBe(0);
  type Row = {
    backend: (typeof BACKEND_NAMES)[number];
    works: boolean;
    reason: string | null;
    referenceFallbacks: string[];
  };
  const listed = (JSON.parse(r.stdout) as { backends: Row[] }).backends;
  expect(listed.map((b) => b.backend)).toEqual([...BACKEND_NAMES]);
  for (const b of listed) expect(Array.isArray(b.referenceFallbacks), b.backend).toBe(true);
  for (const b of listed.filter((row) => isGpujsBackend(row.backend) || isBrowserBackend(row.backend)))
    expect(b.referenceFallbacks, b.backend).toEqual([]);
  for (const b of listed) expect(b.works || (b.reason ?? '').length > 0, b.backend).toBe(true);
  for (const name of required)
    expect(
      listed.find((b) => b.backend === name),
      `${name}: ${listed.find((b) => b.backend === name)?.reason}`,
    ).toMatchObject({ works: true });
}

describe(`alrflow backends --json: every backend listed; working here: ${required.join(', ') || '(none required)'}`, () => {
  const cli = buildCli();
  afterAll(() => cli.remove());

  test(
    'from the sources',
    () => expectBackends(spawnSync('node', ['src/cli/alrflow.mjs', 'backends', '--json'], { encoding: 'utf8' })),
    180_000,
  );

  test('from the built command', () => expectBackends(cli.run(['backends', '--json'])), 180_000);
});

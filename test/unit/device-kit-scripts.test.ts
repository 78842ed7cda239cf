// The device check's shell side without a kit (fast; the full dry run is .ci/run's, after pack.sh):
// run.sh rejects unknown options and a missing kit with exit 2 and a hint, and bare-path.sh builds a
// PATH with bash, tar, dpkg and coreutils but no node or python3. A route counts only on an NVIDIA renderer.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verdict } from '../../bench/device/route-probe.js';

const dir = mkdtempSync(join(tmpdir(), 'device-kit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bash = (args: string[], env: Record<string, string> = {}) =>
  spawnSync('bash', args, { encoding: 'utf8', env: { ...process.env, ...env } });

describe('bench/device scripts', () => {
  it('run.sh: an unknown option is exit 2 naming the allowed ones', () => {
    const r = bash(['bench/device/run.sh', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option "--bogus"; allowed: --dry-run/);
  });

  it('run.sh: no kit is exit 2 with the pack.sh hint, before anything is written', () => {
    const r = bash(['bench/device/run.sh', '--dry-run', join(dir, 'out')], { DEVICE_KIT: join(dir, 'no-kit') });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no kit in .*no-kit.*hint: bash bench\/device\/pack.sh/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('bare-path.sh: bash, tar, dpkg, dpkg-deb and coreutils reachable; node and python3 not', () => {
    const bare = join(dir, 'bin');
    expect(bash(['bench/device/bare-path.sh', bare]).status).toBe(0);
    const probe = spawnSync(
      'bash',
      [
        '-c',
        'for t in bash tar dpkg dpkg-deb mktemp sleep env; do command -v $t > /dev/null || echo missing $t; done; command -v node python3',
      ],
      {
        encoding: 'utf8',
        env: { PATH: bare },
      },
    );
    expect(probe.stdout.trim()).toBe('');
  });

  it('a route counts only when its renderer names NVIDIA', () => {
    expect(
      verdict('Google Inc. / ANGLE (NVIDIA Corporation NVIDIA H100 80GB HBM3/PCIe/SSE2 OpenGL 4.5.0)').counts,
    ).toBe(true);
    expect(verdict('nvidia / hopper / NVIDIA H200').counts).toBe(true);
    expect(verdict('Google Inc. / ANGLE (Mesa/X.org llvmpipe (LLVM 15.0.6, 256 bits) OpenGL 4.5 core)')).toEqual({
      counts: false,
      reason:
        'the renderer is not an NVIDIA GPU: "Google Inc. / ANGLE (Mesa/X.org llvmpipe (LLVM 15.0.6, 256 bits) OpenGL 4.5 core)"',
    });
    expect(verdict('google / swiftshader / Subzero').counts).toBe(false);
  });
});

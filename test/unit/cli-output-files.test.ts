// Output files under abuse, for every command (the built command, test/fixtures/built-cli): a
// read-only output folder exits 2 within 2 s with no stack trace and writes nothing; a missing
// folder is created as `mkdir -p` would; a full disk (a file-size limit, `ulimit -f`; and a full tmpfs
// where this test may mount one) under --force keeps the old file byte-identical and leaves no
// temporary file; a refused train run leaves no run folder and a failed --resume changes nothing.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildCli, root, tinyIrisTrainArgs } from '../fixtures/built-cli.js';

const cli = buildCli();
const dir = mkdtempSync(join(tmpdir(), 'alrflow-files-'));
const mounted: string[] = [];
afterAll(() => {
  for (const m of mounted) spawnSync('umount', [m]);
  cli.remove();
});
const noTrace = (stderr: string): void => expect(stderr).not.toMatch(/\n\s+at /);
const savedSim = join(dir, 'sim.json');
const simArgs = ['simulate', '--model', 'mlp', '--iterations', '1'];

/** A read-only folder: chmod where that binds (not root), else a read-only tmpfs; undefined when neither works. */
function readOnlyFolder(): string | undefined {
  const ro = mkdtempSync(join(tmpdir(), 'alrflow-ro-'));
  chmodSync(ro, 0o555);
  try {
    writeFileSync(join(ro, 'probe'), '');
  } catch {
    return ro;
  }
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
  if (mount.status !== 0) return undefined;
  mounted.push(ro);
  return ro;
}
const ro = readOnlyFolder();

/** Every command that writes, with its outputs in `folder` (start: its working folder). */
const writers = (folder: string): Record<string, string[]> => ({
  simulate: [...simArgs, '--json-file', join(folder, 'a.json')],
  compare: ['compare', '--model', 'mlp', '--report', join(folder, 'a.html')],
  compile: [
    'compile',
    '--model',
    'mlp',
    '--method',
    'alr',
    '--schedule',
    'sequential',
    '--hw',
    'edge-npu',
    '--json-file',
    join(folder, 'a.json'),
  ],
  demo: ['demo', '--json-file', join(folder, 'a.json')],
  probe: ['probe', '--model', 'mlp', '--dataset', 'iris', '--report', join(folder, 'a.html')],
  'hw list': ['hw', 'list', '--json-file', join(folder, 'a.json')],
  'hw show': ['hw', 'show', 'edge-npu', '--json-file', join(folder, 'a.json')],
  'hw calibrate': ['hw', 'calibrate', '--out', join(folder, 'host.json')],
  models: ['models', '--json-file', join(folder, 'a.json')],
  backends: ['backends', '--json-file', join(folder, 'a.json')],
  report: ['report', savedSim, '--out', join(folder, 'a.html')],
  scalesim: [
    'scalesim',
    '--config',
    'test/fixtures/scalesim-cases/os32.cfg',
    '--topology',
    'test/fixtures/scalesim-cases/topo_gemm.csv',
    '--gemm',
    '--out',
    join(folder, 'sc'),
  ],
  train: ['train', '--model', 'mlp', '--dataset', 'iris', '--method', 'alr', '--out', join(folder, 'run')],
  sweep: ['sweep', '--spec', 'test/fixtures/sweep-small.json', '--out', join(folder, 'sw')],
  start: ['start'],
});

test('simulate saves the report JSON the other cases read', () => {
  expect(cli.run([...simArgs, '--json-file', savedSim]).status).toBe(0);
});

describe.skipIf(ro === undefined)('a read-only output folder', () => {
  test.each(Object.entries(writers(ro ?? '/nonexistent')))(
    '%s exits 2 within 2 s, without a trace, writing nothing',
    (name, args) => {
      const started = Date.now();
      const r = cli.run(args, name === 'start' ? { cwd: ro } : {});
      expect(Date.now() - started).toBeLessThan(2000);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/not writable/);
      noTrace(r.stderr);
      expect(readdirSync(ro!)).toEqual([]);
    },
  );
});

test('a missing folder is created as mkdir -p would, by file and folder outputs alike', () => {
  const deep = join(dir, 'new', 'deeper');
  expect(cli.run([...simArgs, '--json-file', join(deep, 'a.json')]).status).toBe(0);
  const sc = cli.run(writers(join(dir, 'new2', 'x')).scalesim!);
  expect(sc.status, sc.stderr).toBe(0);
  expect(existsSync(join(deep, 'a.json')) && existsSync(join(dir, 'new2', 'x', 'sc', 'COMPUTE_REPORT.csv'))).toBe(true);
  const blocked = cli.run([...simArgs, '--json-file', join(savedSim, 'below.json')]);
  expect(blocked.status).toBe(2);
  expect(blocked.stderr).toContain(`${savedSim} is a file, so`);
  const fileAsFolder = cli.run(['train', '--model', 'mlp', '--dataset', 'iris', '--method', 'alr', '--out', savedSim]);
  expect(fileAsFolder.status).toBe(2);
  expect(fileAsFolder.stderr).toContain(`--out: ${savedSim} is a file; allowed: a folder`);
});

test('start keeps an existing report.json unless --force (npm start -- --force)', () => {
  const cwd = mkdtempSync(join(dir, 'start-'));
  writeFileSync(join(cwd, 'report.json'), 'mine');
  const r = cli.run(['start'], { cwd });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('start: report.json already exists; allowed: a new file; hint: pass --force');
  expect(readFileSync(join(cwd, 'report.json'), 'utf8')).toBe('mine');
  expect(existsSync(join(cwd, 'report.html'))).toBe(false);
});

/** Runs the built command under a shell with a file-size limit (KiB): a write past it fails with EFBIG, as on a full disk. */
function runLimited(args: string[], kib: number): ReturnType<typeof spawnSync> {
  const quoted = [process.execPath, cli.entry, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawnSync('bash', ['-c', `ulimit -f ${kib}; exec ${quoted}`], { cwd: root, encoding: 'utf8' });
}

function expectOldFileKept(folder: string, file: string, old: Buffer, r: ReturnType<typeof spawnSync>): void {
  expect([1, 2]).toContain(r.status);
  expect(String(r.stderr)).toMatch(/cannot write .*(EFBIG|ENOSPC).* is unchanged/);
  noTrace(String(r.stderr));
  expect(readFileSync(file).equals(old)).toBe(true);
  expect(readdirSync(folder).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

test('a full disk under --force keeps the old report byte-identical and leaves no temporary file', () => {
  const folder = mkdtempSync(join(dir, 'full-'));
  const report = join(folder, 'old.html');
  const old = Buffer.from('<!doctype html><p>the report a user kept</p>\n');
  writeFileSync(report, old);
  const r = runLimited([...simArgs, '--report', report, '--force'], 16);
  expectOldFileKept(folder, report, old, r);
  const ok = runLimited([...simArgs, '--report', report, '--force'], 1 << 20);
  expect(ok.status, String(ok.stderr)).toBe(0);
  expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/i);
});

test('a full tmpfs (where one can be mounted) does the same with ENOSPC', (ctx) => {
  const folder = mkdtempSync(join(dir, 'tmpfs-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', folder]).status !== 0) return ctx.skip();
  mounted.push(folder);
  const report = join(folder, 'old.html');
  const old = Buffer.alloc(40 * 1024, 'a');
  writeFileSync(report, old);
  const r = spawnSync(process.execPath, [cli.entry, ...simArgs, '--report', report, '--force'], {
    cwd: root,
    encoding: 'utf8',
  });
  expectOldFileKept(folder, report, old, r);
});

describe('train runs that fail leave nothing, a failed resume changes nothing', () => {
  const base = [...tinyIrisTrainArgs, '--batch', '16', '--quiet'];

  test('a refused gpipe run leaves no run folder; the corrected rerun succeeds', () => {
    const out = join(dir, 'runs', 'k');
    const refused = cli.run([...base, '--schedule', 'gpipe', '--out', out]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--schedule: found "gpipe" with --method alr');
    expect(existsSync(out)).toBe(false);
    const rerun = cli.run([...base, '--schedule', 'layer-pipelined', '--out', out]);
    expect(rerun.status, rerun.stderr).toBe(0);
  });

  test('a resume whose checkpoint is damaged fails and leaves config.json and the metrics as they were', () => {
    const out = join(dir, 'runs', 'damaged');
    expect(cli.run([...base, '--out', out]).status).toBe(0);
    const checkpoint = readFileSync(join(out, 'checkpoint.bin'));
    writeFileSync(join(out, 'checkpoint.bin'), checkpoint.subarray(0, checkpoint.length - 8));
    const before = ['config.json', 'metrics.jsonl', 'metrics.csv'].map((f) => readFileSync(join(out, f)));
    const r = cli.run(['train', '--out', out, '--resume', '--epochs', '3', '--quiet']);
    expect(r.status).not.toBe(0);
    noTrace(r.stderr);
    expect(['config.json', 'metrics.jsonl', 'metrics.csv'].map((f) => readFileSync(join(out, f)))).toEqual(before);
  });

  test('a run refused for an existing folder keeps that folder as it was', () => {
    const out = join(dir, 'runs', 'mine');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'config.json'), 'my own file');
    const r = cli.run([...base, '--out', out]);
    expect(r.status).toBe(2);
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe('my own file');
  });
});

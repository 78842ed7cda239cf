// Whole-process start-up of the shipped command (dist/, built fresh here): median wall time of
// `alrflow --help`, `alrflow hw list` and SCALE-Sim's GEMM case through `alrflow scalesim`, each
// against `node -e 0` measured in the same rounds (runs interleaved, so machine load hits all
// alike), with the TypeScript sources through tsx as a second peer. SCALE-Sim itself is run as the
// GEMM peer when `python3 -c "import scalesim"` works; otherwise only the alrflow side is printed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const rounds = Number(process.env.CLI_BENCH_ROUNDS ?? 15);
const cases = join(root, 'test/fixtures/scalesim-cases');
const outDir = mkdtempSync(join(tmpdir(), 'alrflow-cli-bench-'));

function wallMs(argv: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const build = spawnSync(process.execPath, ['src/cli/build.mjs'], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
const node = process.execPath;
const gemm = [
  'scalesim',
  '--config',
  join(cases, 'os32.cfg'),
  '--topology',
  join(cases, 'topo_gemm.csv'),
  '--gemm',
  '--out',
  outDir,
  '--force',
];
const peers: Record<string, string[]> = {
  'node -e 0': [node, '-e', '0'],
  'alrflow --help (dist)': [node, 'dist/alrflow.js', '--help'],
  'alrflow hw list (dist)': [node, 'dist/alrflow.js', 'hw', 'list'],
  'alrflow scalesim gemm (dist)': [node, 'dist/alrflow.js', ...gemm],
  'alrflow --help (tsx sources)': [node, 'src/cli/alrflow.mjs', '--help'],
  'alrflow hw list (tsx sources)': [node, 'src/cli/alrflow.mjs', 'hw', 'list'],
};
const scaleSimPresent = spawnSync('python3', ['-c', 'import scalesim'], { stdio: 'ignore' }).status === 0;
if (scaleSimPresent) {
  peers['SCALE-Sim gemm (python)'] = [
    'python3',
    '-m',
    'scalesim.scale',
    '-c',
    join(cases, 'os32.cfg'),
    '-t',
    join(cases, 'topo_gemm.csv'),
    '-i',
    'gemm',
    '-p',
    outDir,
  ];
}

const times: Record<string, number[]> = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
for (let i = 0; i < rounds; i += 1) for (const [name, argv] of Object.entries(peers)) times[name]!.push(wallMs(argv));
rmSync(outDir, { recursive: true, force: true });

const base = median(times['node -e 0']!);
process.stdout.write(
  `whole-process wall time, median of ${rounds} interleaved runs (machine load: ${(await import('node:os')).loadavg()[0]!.toFixed(2)} 1-min average)\n`,
);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  process.stdout.write(`${name.padEnd(32)} ${(m / 1000).toFixed(3)} s  ${(m / base).toFixed(2)}x node -e 0\n`);
}
for (const name of ['alrflow --help (dist)', 'alrflow hw list (dist)']) {
  const m = median(times[name]!) / 1000;
  process.stdout.write(`${name}: ${m.toFixed(3)} s, target <= 0.25 s: ${m <= 0.25 ? 'ok' : 'MISSED'}\n`);
}
const gemmMs = median(times['alrflow scalesim gemm (dist)']!);
if (scaleSimPresent) {
  const ratio = median(times['SCALE-Sim gemm (python)']!) / gemmMs;
  process.stdout.write(
    `SCALE-Sim gemm / alrflow gemm whole process: ${ratio.toFixed(1)}x, target >= 100x: ${ratio >= 100 ? 'ok' : 'MISSED'}\n`,
  );
} else {
  process.stdout.write(
    `SCALE-Sim is not installed here (python3 -c "import scalesim" fails; PyPI is unreachable): alrflow's GEMM case alone is ${(gemmMs / 1000).toFixed(3)} s whole process\n`,
  );
}

// `alrflow hw list` and `alrflow hw show`: the table rows and the --json model come from the loader
// (numbers recomputed here from the parsed models), and an unknown name exits 2 with the choices.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { summariseHwModel } from '../../src/hw/describe-hw-model.js';
import { defaultHwModelName, listHwModels, loadHwModel } from '../../src/hw/load.js';
import { formatBytes, formatSi } from '../../src/hw/units.js';

const cli = fileURLToPath(new URL('../../src/cli/alrflow.mjs', import.meta.url));
const run = promisify(execFile);

async function alrflow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('hw list, hw show --json, hw show (text) and an unknown name', async () => {
  // In parallel: each CLI start (tsx + mathjs) takes seconds on the shared machine.
  const [list, json, text, unknown] = await Promise.all([
    alrflow('hw', 'list'),
    alrflow('hw', 'show', 'multicore-16', '--json'),
    alrflow('hw', 'show', 'gpu-like'),
    alrflow('hw', 'show', 'tpu'),
  ]);
  expect(list.code).toBe(0);
  const lines = list.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(listHwModels().length + 1);
  for (const name of listHwModels()) {
    const s = summariseHwModel(loadHwModel(name));
    const line = lines.find((l) => l.startsWith(`${name} `) || l === name);
    expect(line, name).toBeDefined();
    for (const cell of [
      formatBytes(s.onChipBytes),
      formatSi(s.offChipBytesPerSecond, 'B/s'),
      formatSi(s.clockHz, 'Hz'),
      s.arrays,
    ])
      expect(line).toContain(cell);
    expect(line?.includes('(default)')).toBe(name === defaultHwModelName);
  }
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toEqual(loadHwModel('multicore-16'));
  expect(text.code).toBe(0);
  const gpu = summariseHwModel(loadHwModel('gpu-like'));
  expect(text.stdout).toContain(`peak: ${gpu.peakMacsPerCycle} MACs per cycle`);
  expect(text.stdout).toMatch(/^ {2}hbm2 .* off-chip, /m);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(
    /^alrflow: hw show: found "tpu" .*allowed: .*tpu-v1-like.*did you mean "tpu-v1-like"\?\)\n$/,
  );
});

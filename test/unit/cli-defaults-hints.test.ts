// Defaults that work and hints that can be followed: `simulate --method bp` runs on the schedule
// train and compile default to (sequential), gpt2-small simulates on its recommended step, and every suggestion an infeasibility hint prints is rerun as given: the option
// checker accepts each one (exit 0 or 3, never 2).
import { afterAll, expect, test } from 'vitest';
import { buildCli } from '../fixtures/built-cli.js';

const cli = buildCli();
afterAll(() => cli.remove());

test('simulate --method bp runs sequential, the default of train and compile, when --schedule is not given', () => {
  const r = cli.run(['simulate', '--method', 'bp', '--model', 'mlp', '--iterations', '1', '--json']);
  expect(r.status, r.stderr).toBe(0);
  expect((JSON.parse(r.stdout) as { input: { schedule: string } }).input.schedule).toBe('sequential');
});

test("simulate --model gpt2-small with no step options takes the model's recommended step (BP, batch 4) and reports its work", () => {
  const r = cli.run(['simulate', '--model', 'gpt2-small', '--hw', 'gpu-like', '--iterations', '2', '--json']);
  expect(r.status, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as {
    input: { method: string; batch: number };
    work: { forwardMacsPerSample: number; macsPerIteration: number; byLayer: { layer: string; macs: number }[] };
  };
  expect(report.input).toMatchObject({ method: 'bp', batch: 4 });
  expect(report.work.byLayer.find((l) => l.layer === 'block12.attention')!.macs).toBe(4 * 6 * 1024 * 1024 * 768);
  expect(report.work.macsPerIteration).toBe(report.work.byLayer.reduce((s, l) => s + l.macs, 0));
  // Given options win over the recommendation: --batch 2 halves the work.
  const two = cli.run([
    'simulate',
    '--model',
    'gpt2-small',
    '--hw',
    'gpu-like',
    '--iterations',
    '1',
    '--batch',
    '2',
    '--json',
  ]);
  expect(two.status, two.stderr).toBe(0);
  expect((JSON.parse(two.stdout) as typeof report).work.macsPerIteration * 2).toBe(report.work.macsPerIteration);
  const listed = cli.run(['models', 'gpt2-small', '--json']);
  expect(JSON.parse(listed.stdout)[0].recommendedStep).toMatchObject({ method: 'bp', batch: 4 });
  // The report names the network's own workload, the figure `models --json` gives, whatever the batch.
  expect(report.work.forwardMacsPerSample).toBe(JSON.parse(listed.stdout)[0].forwardMacsPerSample);
  expect((JSON.parse(two.stdout) as typeof report).work.forwardMacsPerSample).toBe(report.work.forwardMacsPerSample);
});

/** The `--flag value` groups of a `hint: try A, B, ..., a hardware model with more memory` line. */
function suggestions(stderr: string): string[][] {
  const line = stderr.split('\n').find((l) => l.startsWith('hint: try '));
  expect(line, stderr).toBeDefined();
  return line!
    .slice('hint: try '.length)
    .split(', ')
    .filter((s) => s.startsWith('--'))
    .map((s) => s.split(' '));
}

/** Replaces or appends each `--flag value` of a suggestion in an argument list. */
function withSuggestion(args: string[], suggestion: string[]): string[] {
  const out = [...args];
  for (let i = 0; i < suggestion.length; i += 2) {
    const at = out.indexOf(suggestion[i]!);
    if (at >= 0) out[at + 1] = suggestion[i + 1]!;
    else out.push(suggestion[i]!, suggestion[i + 1]!);
  }
  return out;
}

const infeasible = [
  [
    'compile',
    '--model',
    'resnet9',
    '--method',
    'lr',
    '--copies',
    '128',
    '--batch',
    '32',
    '--schedule',
    'layer-pipelined',
    '--hw',
    'edge-npu',
  ],
  [
    'compile',
    '--model',
    'resnet9',
    '--method',
    'alr',
    '--copies',
    '512',
    '--batch',
    '64',
    '--schedule',
    'sequential',
    '--hw',
    'edge-npu',
  ],
  ['compile', '--model', 'resnet9', '--method', 'bp', '--batch', '2048', '--schedule', 'gpipe', '--hw', 'edge-npu'],
  [
    'simulate',
    '--model',
    'resnet9',
    '--method',
    'es',
    '--copies',
    '256',
    '--batch',
    '64',
    '--schedule',
    'sequential',
    '--hw',
    'edge-npu',
    '--iterations',
    '1',
  ],
  [
    'compile',
    '--model',
    'resnet9',
    '--method',
    'lr',
    '--copies',
    '4096',
    '--batch',
    '32',
    '--schedule',
    'layer-pipelined',
    '--hw',
    'edge-npu',
  ],
];

test('compile --json carries the hints as option sets, the same ones the text prints', () => {
  const args = infeasible.at(-1)!;
  const json = cli.run([...args, '--json']);
  expect(json.status, json.stderr).toBe(3);
  const hints = (JSON.parse(json.stdout) as { hints: Record<string, number | string>[] }).hints;
  expect(hints.length).toBeGreaterThan(0);
  const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  expect(hints.map((h) => Object.entries(h).flatMap(([k, v]) => [flag(k), String(v)]))).toEqual(
    suggestions(json.stderr),
  );
});

test.each(infeasible.map((a) => [a.slice(0, 6).join(' '), a] as const))(
  'every hint of an infeasible `%s` is accepted when rerun',
  (_name, args) => {
    const first = cli.run(args);
    expect(first.status, first.stderr).toBe(3);
    const tries = suggestions(first.stderr);
    expect(tries.length).toBeGreaterThan(0);
    for (const s of tries) {
      const rerun = cli.run(withSuggestion(args, s));
      // Every hint was compiled before it was printed: rerun as printed, it fits.
      expect(rerun.status, `${s.join(' ')}: ${rerun.stderr}`).toBe(0);
    }
    if (args.includes('sequential')) expect(tries.flat()).not.toContain('--micro-batches');
    if (args.includes('alr')) expect(tries.map((s) => s.join(' '))).not.toContain('--noise-storage sign-bits');
  },
);

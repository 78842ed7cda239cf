// The run directory: config.json, checkpoint.bin, metrics.jsonl/csv and train-report.json. An
// existing run is never overwritten without --force, --resume needs a checkpoint to resume from and
// may change only the epochs and the checkpoint interval. Nothing is written until the run is valid.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { makeFolder, writeFileAtomic } from '../output-file.js';
import type { TrainConfig } from './train-config.js';

export interface RunPaths {
  dir: string;
  config: string;
  checkpoint: string;
  report: string;
}

export function runPaths(dir: string): RunPaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    checkpoint: join(dir, 'checkpoint.bin'),
    report: join(dir, 'train-report.json'),
  };
}

/** Settings a resumed run may change: how long it runs and how often it saves. */
export const resumableSettings = ['epochs', 'checkpointEvery'] as const;

/**
 * Settings given now that differ from the run's saved ones, except those a resume may change. A
 * resume must continue the same run: the data order and the noise depend on the others.
 */
function changedSettings(saved: TrainConfig, given: TrainConfig): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(given)])].filter(
    (k) => !(resumableSettings as readonly string[]).includes(k),
  ) as (keyof TrainConfig)[];
  return keys
    .filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(given[k]))
    .map((k) => `${k} is ${JSON.stringify(given[k])} now but ${JSON.stringify(saved[k])} in the saved run`);
}

/** The saved settings of the run in `dir`, for --resume; a ConfigError when there is none. */
export function readSavedConfig(dir: string): TrainConfig {
  const paths = runPaths(dir);
  if (!existsSync(paths.checkpoint) || !existsSync(paths.config)) {
    throw new ConfigError([
      `--resume: ${existsSync(paths.config) ? paths.checkpoint : paths.config} not found; there is no run to resume in ${dir}. Hint: start it without --resume`,
    ]);
  }
  try {
    return JSON.parse(readFileSync(paths.config, 'utf8')) as TrainConfig;
  } catch (err) {
    throw new ConfigError([`--resume: ${paths.config}: not readable JSON (${(err as Error).message})`]);
  }
}

/**
 * Checks the directory for a fresh run or a resume and returns the config to use; writes nothing,
 * so a run that then fails validation (dataset, network, batch, backend) leaves nothing behind.
 */
export function checkRunDir(dir: string, config: TrainConfig, mode: { resume: boolean; force: boolean }): TrainConfig {
  const paths = runPaths(dir);
  if (mode.resume) {
    const saved = readSavedConfig(dir);
    const differing = changedSettings(saved, config);
    if (differing.length > 0) {
      throw new ConfigError([
        ...differing.map((d) => `--resume: ${d}`),
        `hint: a resumed run may change only --epochs, --checkpoint-every and --report; the rest comes from ${paths.config}`,
      ]);
    }
    return { ...saved, ...Object.fromEntries(resumableSettings.map((k) => [k, config[k]])) };
  }
  const occupied = existsSync(dir) && readdirSync(dir).length > 0;
  if (occupied && !mode.force) {
    throw new ConfigError([
      `--out ${dir}: the directory exists and is not empty; allowed: a new directory. Hint: --resume to continue that run, or --force to overwrite it`,
    ]);
  }
  return config;
}

/** Saves the run's settings (atomically: a failure keeps the previous config.json). */
export function saveRunConfig(dir: string, config: TrainConfig): void {
  writeFileAtomic(runPaths(dir).config, `${JSON.stringify(config, null, 2)}\n`);
}

/** Creates (or, with --force, replaces) the run directory of a fresh run and saves its config; a resume writes nothing here. */
export function writeRunDir(dir: string, config: TrainConfig, mode: { resume: boolean; force: boolean }): void {
  if (mode.resume) return;
  if (mode.force) rmSync(dir, { recursive: true, force: true });
  makeFolder(dir);
  saveRunConfig(dir, config);
}

/** The files a run writes; a failed fresh run removes them (and its folder, if the run created it). */
const runFiles = ['config.json', 'checkpoint.bin', 'metrics.jsonl', 'metrics.csv', 'train-report.json'];

/**
 * After a fresh run failed: a run with a checkpoint is kept (it can be resumed); otherwise what it
 * wrote goes, the folder too when the run created it, so the corrected rerun is not refused.
 */
export function removeFailedRun(dir: string, existedBefore: boolean): void {
  if (!existsSync(dir) || existsSync(runPaths(dir).checkpoint)) return;
  if (!existedBefore) rmSync(dir, { recursive: true, force: true });
  else for (const f of runFiles) rmSync(join(dir, f), { force: true });
}

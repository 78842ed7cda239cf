// The run directory: config.json, checkpoint.bin, metrics.jsonl/csv and train-report.json. An
// existing run is never overwritten without --force, and --resume needs a checkpoint to resume from.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { TrainConfig } from './train-config.js';

export interface RunPaths {
  dir: string;
  config: string;
  checkpoint: string;
  report: string;
}

export function runPaths(dir: string): RunPaths {
  return { dir, config: join(dir, 'config.json'), checkpoint: join(dir, 'checkpoint.bin'), report: join(dir, 'train-report.json') };
}

/**
 * Settings given now that differ from the run's saved ones. A resume must continue the same run:
 * the schedule, the data order and the noise all depend on them.
 */
function changedSettings(saved: TrainConfig, given: TrainConfig): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(given)])] as (keyof TrainConfig)[];
  return keys
    .filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(given[k]))
    .map((k) => `${k} is ${JSON.stringify(given[k])} now but ${JSON.stringify(saved[k])} in the saved run`);
}

/** Prepares the directory for a fresh run or checks it for a resume; returns the config to use. */
export function prepareRunDir(dir: string, config: TrainConfig, mode: { resume: boolean; force: boolean }): TrainConfig {
  const paths = runPaths(dir);
  const occupied = existsSync(dir) && readdirSync(dir).length > 0;
  if (mode.resume) {
    if (!existsSync(paths.checkpoint)) {
      throw new ConfigError([`--resume: ${paths.checkpoint} not found; there is no run to resume in ${dir}. Hint: start it without --resume`]);
    }
    const saved = JSON.parse(readFileSync(paths.config, 'utf8')) as TrainConfig;
    const differing = changedSettings(saved, config);
    if (differing.length > 0) {
      throw new ConfigError([
        ...differing.map((d) => `--resume: ${d}`),
        `hint: resume with the run's own settings (see ${paths.config}), or start a new run in another --out`,
      ]);
    }
    return saved;
  }
  if (occupied && !mode.force) {
    throw new ConfigError([`--out ${dir}: the directory exists and is not empty; allowed: a new directory. Hint: --resume to continue that run, or --force to overwrite it`]);
  }
  if (occupied) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(paths.config, `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

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

/** Prepares the directory for a fresh run or checks it for a resume; returns the config to use. */
export function prepareRunDir(dir: string, config: TrainConfig, mode: { resume: boolean; force: boolean }): TrainConfig {
  const paths = runPaths(dir);
  const occupied = existsSync(dir) && readdirSync(dir).length > 0;
  if (mode.resume) {
    if (!existsSync(paths.checkpoint)) {
      throw new ConfigError([`--resume: ${paths.checkpoint} not found; there is no run to resume in ${dir}. Hint: start it without --resume`]);
    }
    return JSON.parse(readFileSync(paths.config, 'utf8')) as TrainConfig;
  }
  if (occupied && !mode.force) {
    throw new ConfigError([`--out ${dir}: the directory exists and is not empty; allowed: a new directory. Hint: --resume to continue that run, or --force to overwrite it`]);
  }
  if (occupied) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(paths.config, `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

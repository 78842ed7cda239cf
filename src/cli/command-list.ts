// The alrflow commands, in help order. A static list (not a folder scan) so the built command can
// bundle them; each module registers options only and imports its work lazily.
import type { Command } from 'commander';
import * as backends from './commands/backends.js';
import * as compare from './commands/compare.js';
import * as compile from './commands/compile.js';
import * as demo from './commands/demo.js';
import * as hw from './commands/hw.js';
import * as models from './commands/models.js';
import * as probe from './commands/probe.js';
import * as report from './commands/report.js';
import * as scalesim from './commands/scalesim.js';
import * as simulate from './commands/simulate.js';
import * as start from './commands/start.js';
import * as sweep from './commands/sweep.js';
import * as train from './commands/train.js';
import * as worker from './commands/worker.js';

export const commands: ReadonlyArray<{ register: (program: Command) => void }> = [
  backends,
  compare,
  compile,
  demo,
  hw,
  models,
  probe,
  report,
  scalesim,
  simulate,
  start,
  sweep,
  train,
  worker,
];

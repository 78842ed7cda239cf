// Training progress on stderr (stdout is data: train --json prints the report there): a cli-progress
// bar (step, loss, samples/s, ETA) on a terminal, plain lines otherwise (stderr not a TTY, or CI set),
// because CI and log files read output as text.
import cliProgress from 'cli-progress';

export interface ProgressUpdate {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  samplesPerSecond: number;
}

export interface Progress {
  update(u: ProgressUpdate): void;
  line(text: string): void;
  stop(): void;
}

function eta(u: ProgressUpdate, secondsPerStep: number): string {
  const seconds = Math.max(0, Math.round((u.totalSteps - u.step) * secondsPerStep));
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

export function createProgress(options: { quiet?: boolean; everySteps?: number } = {}): Progress {
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI && !options.quiet;
  let last = { time: performance.now(), step: 0, secondsPerStep: 0 };
  const timing = (u: ProgressUpdate): number => {
    const now = performance.now();
    if (u.step > last.step)
      last = { time: now, step: u.step, secondsPerStep: (now - last.time) / 1000 / (u.step - last.step) };
    return last.secondsPerStep;
  };
  if (!interactive) {
    const every = options.everySteps ?? 50;
    return {
      update: (u) => {
        const perStep = timing(u);
        if (!options.quiet && (u.step % every === 0 || u.step === u.totalSteps)) {
          process.stderr.write(
            `step ${u.step}/${u.totalSteps} epoch ${u.epoch} loss ${u.loss.toFixed(4)} ${u.samplesPerSecond.toFixed(0)} samples/s ETA ${eta(u, perStep)}\n`,
          );
        }
      },
      line: (text) => !options.quiet && process.stderr.write(`${text}\n`),
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'step {value}/{total} |{bar}| epoch {epoch} loss {loss} {rate} samples/s ETA {etaText}',
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (u) => {
      const payload = {
        epoch: u.epoch,
        loss: u.loss.toFixed(4),
        rate: u.samplesPerSecond.toFixed(0),
        etaText: eta(u, timing(u)),
      };
      if (!started) bar.start(u.totalSteps, u.step, payload);
      started = true;
      bar.update(u.step, payload);
    },
    // Clear the bar line first; the bar redraws itself on the next update.
    line: (text) => process.stderr.write(started ? `\r\x1b[K${text}\n` : `${text}\n`),
    stop: () => started && bar.stop(),
  };
}

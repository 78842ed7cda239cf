// Progress of long commands (simulate, compare, scalesim) on stderr: a bar with ETA on a terminal
// (cli-progress, redrawn synchronously, since the simulator's loop never yields to timers), plain
// lines at most every two seconds off a terminal (logs, CI), nothing with --quiet. Runs shorter
// than a second print no plain line. It never writes to stdout.
import type { SingleBar } from 'cli-progress';

export interface Progress {
  /** Work done as a fraction in [0, 1]. */
  update(fraction: number): void;
  stop(): void;
}

const steps = 1000;

function plainLines(label: string, stream: NodeJS.WriteStream): Progress {
  const started = Date.now();
  let last = started;
  return {
    update: (fraction) => {
      const now = Date.now();
      if (now - last < 2000 || fraction <= 0) return;
      last = now;
      const eta = (((now - started) / fraction) * (1 - fraction)) / 1000;
      stream.write(`${label}: ${(fraction * 100).toFixed(0)}% done, ETA ${eta.toFixed(0)} s\n`);
    },
    stop: () => undefined,
  };
}

async function terminalBar(label: string, stream: NodeJS.WriteStream): Promise<Progress> {
  const { SingleBar: Bar, Presets } = (await import('cli-progress')).default;
  const bar: SingleBar = new Bar(
    {
      format: `${label} [{bar}] {percentage}% | ETA {eta_formatted}`,
      stream,
      etaBuffer: 50,
      clearOnComplete: true,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(steps, 0);
  return {
    update: (fraction) => bar.update(Math.round(Math.min(1, Math.max(0, fraction)) * steps)),
    stop: () => bar.stop(),
  };
}

export async function createProgress(
  label: string,
  options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {},
): Promise<Progress> {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update: () => undefined, stop: () => undefined };
  return stream.isTTY ? terminalBar(label, stream) : plainLines(label, stream);
}

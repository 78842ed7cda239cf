// The exit codes of every alrflow command, one list: shown at the end of every --help and in the
// README (test/unit/cli-exit-codes-help.test.ts keeps them equal).
export const exitCodes: ReadonlyArray<readonly [code: number, meaning: string]> = [
  [0, 'ok'],
  [1, 'internal error (a bug: please report it)'],
  [2, 'bad input: options, input files, or an output path that cannot be written'],
  [3, 'infeasible or too large: the mapping does not fit the hardware, or the run does not fit this machine'],
  [4, 'diverged (train): a non-finite loss stopped the run; train-report.json has status "diverged" and the step'],
  [130, 'interrupted (Ctrl-C); train saves a checkpoint to --resume from'],
];

export function exitCodesHelp(): string {
  return `\nExit codes:\n${exitCodes.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`).join('\n')}\n`;
}

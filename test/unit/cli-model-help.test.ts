// Every command that takes a model names every registered model and the network files in its help,
// from the registry (issue 22): a model added to src/models/registry.ts shows up everywhere; so do the
// refusals of an unknown model or a missing network file.
import { Command } from 'commander';
import { expect, test } from 'vitest';
import { commands } from '../../src/cli/command-list.js';
import { modelNames } from '../../src/models/registry.js';

function help(name: string): string {
  const program = new Command('alrflow');
  for (const c of commands) c.register(program);
  const command = program.commands.find((c) => c.name() === name);
  if (!command) throw new Error(`no command ${name}`);
  return command.helpInformation().replace(/\s+/g, ' ');
}

test.each(['simulate', 'compile', 'compare', 'train', 'probe', 'models'])(
  '%s --help names every registered model, .json and .onnx files',
  (name) => {
    const text = help(name);
    expect(modelNames).toContain('gpt2-small');
    for (const model of modelNames) expect(text).toContain(model);
    expect(text).toContain('.json file');
    expect(text).toContain('.onnx file');
  },
);

test('an unknown model or a missing file is refused naming every registered model and the file kinds', async () => {
  const { loadNetwork } = await import('../../src/models/load-network.js');
  for (const model of ['no-such-model', 'missing/net.json', 'missing.csv']) {
    const message = await loadNetwork(model).then(
      () => '',
      (err: Error) => err.message,
    );
    for (const name of modelNames) expect(message).toContain(name);
    for (const kind of ['.json file', '.onnx file', '.csv']) expect(message).toContain(kind);
  }
});

// Shipped networks by name, as the CLI's --model option names them.
import { ConfigError } from '../errors.js';
import { cnn, mlp, resnet5, resnet9, type ConvNetOptions } from './builders.js';
import type { Network } from './layers.js';
import { gpt2Small, vitTiny } from './transformer-builders.js';

export interface ModelOptions extends ConvNetOptions {
  /** Hidden widths of the MLP (input and class count come from inputShape and classes). */
  hidden?: number[];
}

const builders: Record<string, (o: ModelOptions) => Network> = {
  mlp: (o) => mlp([(o.inputShape ?? [784]).reduce((a, b) => a * b, 1), ...(o.hidden ?? [256]), o.classes ?? 10]),
  cnn,
  resnet5,
  resnet9,
  'vit-tiny': vitTiny,
  // A language model: its input and classes are its own (token embeddings, vocabulary), not a dataset's.
  'gpt2-small': () => gpt2Small(),
};

export const modelNames = Object.keys(builders);

/** The network files a --model option reads besides the shipped names, for its messages. */
export const modelFileKinds = 'a network .json file, an .onnx file or a SCALE-Sim topology .csv';

export function buildModel(name: string, options: ModelOptions = {}): Network {
  const build = builders[name];
  if (!build) {
    throw new ConfigError([`--model: unknown model "${name}"; allowed: ${modelNames.join(', ')}, ${modelFileKinds}`]);
  }
  return build(options);
}

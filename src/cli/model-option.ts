// The --model option's help, from the model registry, so that every command lists the same shipped
// models (src/models/registry.ts) and the network files it reads.
import { modelNames } from '../models/registry.js';

/** The shipped model names and the network files, for a --model option's help. */
export function modelChoices(): string {
  return `${modelNames.join(' | ')} ("alrflow models" lists them), a network .json file or an .onnx file`;
}

// Resolves --model: a shipped name (src/models/registry), a network description .json file
// (network-file.ts), a SCALE-Sim topology .csv or an ONNX file (importers/onnx-network.ts). A value that names a file (a path separator or a
// .json/.csv ending) and does not exist says "file not found", not "unknown model".
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Network } from './layers.js';
import { buildModel, modelFileKinds, modelNames, type ModelOptions } from './registry.js';

const looksLikeFile = (value: string): boolean => /[\\/]/.test(value) || /\.(json|csv|onnx)$/i.test(value);

export async function loadNetwork(
  nameOrFile: string,
  options: ModelOptions = {},
  option = '--model',
): Promise<Network> {
  if (modelNames.includes(nameOrFile) && !existsSync(nameOrFile)) return buildModel(nameOrFile, options);
  if (!looksLikeFile(nameOrFile) && !existsSync(nameOrFile)) return buildModel(nameOrFile, options);
  if (nameOrFile.toLowerCase().endsWith('.csv')) {
    if (!existsSync(nameOrFile))
      throw new ConfigError([
        `${option}: ${nameOrFile}: file not found; allowed: a shipped model name (${modelNames.join(', ')}), ${modelFileKinds}`,
      ]);
    const { loadScaleSimTopology, scaleSimTopologyToNetwork } = await import('./importers/scalesim-topology.js');
    return scaleSimTopologyToNetwork(loadScaleSimTopology(nameOrFile), basename(nameOrFile, '.csv'));
  }
  if (nameOrFile.toLowerCase().endsWith('.onnx')) {
    const { loadOnnxNetwork } = await import('./importers/onnx-network.js');
    return loadOnnxNetwork(nameOrFile).network;
  }
  const { loadNetworkFile } = await import('./network-file.js');
  return loadNetworkFile(nameOrFile, option);
}

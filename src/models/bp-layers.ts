// Which parametrised layers a hybrid method trains by backpropagation (--bp-layers): by default the
// last one; `last:N` the last N; or a comma-separated list of layer names. At least one layer must be
// left to the likelihood-ratio part. Bad values are a ConfigError naming the layers there are.
import { ConfigError } from '../errors.js';
import { paramLayers, type Network } from './layers.js';

/** The BP layers' names, in network order. */
export function selectBpLayers(network: Network, spec?: string): string[] {
  const names = paramLayers(network.layers).map((l) => l.name);
  const allowed = `allowed: last:N (N from 1 to ${names.length - 1}) or names of parametrised layers, comma separated, leaving at least one to the LR part; the layers of ${network.name}: ${names.join(', ')}`;
  const refuse = (found: string): never => {
    throw new ConfigError([`--bp-layers: found "${found}", ${allowed}`]);
  };
  if (names.length < 2)
    throw new ConfigError([
      `--bp-layers: ${network.name} has ${names.length} parametrised layer(s); a hybrid needs at least 2 (one BP, one LR)`,
    ]);
  const text = (spec ?? 'last:1').trim();
  const last = /^last:(\d+)$/.exec(text);
  if (last) {
    const n = Number(last[1]);
    if (n < 1 || n >= names.length) refuse(text);
    return names.slice(names.length - n);
  }
  const asked = text.split(',').map((s) => s.trim());
  const unknown = asked.filter((a) => !names.includes(a));
  if (asked.length === 0 || unknown.length > 0 || asked.length >= names.length) refuse(text);
  return names.filter((n) => asked.includes(n));
}

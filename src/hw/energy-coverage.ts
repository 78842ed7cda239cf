// Which parts of a hardware model carry energy figures. Energy that a model does not give is "not
// modelled" (reported as null, never as zero); this module only says which parts are covered.
import type { HwModel } from './types.js';

/** The parts of a model without energy figures: 'compute' (no MAC energy), memory level names (a read or write energy missing), 'noc'. */
export function energyNotModelled(hw: HwModel): string[] {
  const out: string[] = [];
  if (hw.macEnergyPj === undefined) out.push('compute');
  for (const m of hw.memory)
    if (m.readEnergyPjPerByte === undefined || m.writeEnergyPjPerByte === undefined) out.push(m.name);
  if (hw.noc !== undefined && hw.noc.energyPjPerByte === undefined) out.push('noc');
  return out;
}

/** Whether a total energy can be given: compute and every memory level are modelled (the NoC may be left out, and is then named). */
export function energyTotalModelled(hw: HwModel): boolean {
  return energyNotModelled(hw).every((part) => part === 'noc');
}

// Guest disk names <-> controller slots, the way libvirt's VMX driver numbers them
// (virDiskNameToIndex / virIndexToDiskName and the per-bus slot arithmetic of virVMXParseDisk):
// SCSI sd{controller*15 + unit, skipping unit 7 (the controller itself)}, SATA
// sd{controller*30 + unit}, IDE hd{bus*2 + unit}, floppy fd{unit}.
import { diskNameToIndex, indexToDiskName } from '../../domain/disk-names.js';
import { ApiError } from '../errors.js';

export type DiskBusKind = 'scsi' | 'sata' | 'ide' | 'fdc';

const indexToSuffix = (i: number) => indexToDiskName(i, '');
const suffixToIndex = (s: string) => diskNameToIndex(s, '');

export interface Slot {
  /** Controller index (SCSI/SATA), IDE bus (0-1) or 0 for floppies. */
  controller: number;
  unit: number;
}

export function diskName(bus: DiskBusKind, slot: Slot): string {
  switch (bus) {
    case 'scsi':
      return `sd${indexToSuffix(slot.controller * 15 + (slot.unit < 7 ? slot.unit : slot.unit - 1))}`;
    case 'sata':
      return `sd${indexToSuffix(slot.controller * 30 + slot.unit)}`;
    case 'ide':
      return `hd${indexToSuffix(slot.controller * 2 + slot.unit)}`;
    case 'fdc':
      return `fd${indexToSuffix(slot.unit)}`;
  }
}

/** The slot a guest disk name stands for on a bus; 400 when the name does not fit the bus. */
export function slotOf(bus: DiskBusKind, dev: string): Slot {
  const prefix = bus === 'ide' ? 'hd' : bus === 'fdc' ? 'fd' : 'sd';
  const idx = dev.startsWith(prefix) ? suffixToIndex(dev.slice(2)) : -1;
  const bad = (why: string) => new ApiError('config-unsupported', `disk target '${dev}' ${why} on bus ${bus}`, { element: 'devices/disk/target' });
  if (idx < 0) throw bad(`needs prefix '${prefix}'`);
  switch (bus) {
    case 'scsi': {
      if (idx >= 4 * 15) throw bad('is beyond 4 controllers x 15 units');
      const unit = idx % 15;
      return { controller: Math.floor(idx / 15), unit: unit < 7 ? unit : unit + 1 };
    }
    case 'sata':
      if (idx >= 4 * 30) throw bad('is beyond 4 controllers x 30 units');
      return { controller: Math.floor(idx / 30), unit: idx % 30 };
    case 'ide':
      if (idx >= 4) throw bad('is beyond 2 buses x 2 units');
      return { controller: Math.floor(idx / 2), unit: idx % 2 };
    case 'fdc':
      if (idx >= 2) throw bad('is beyond 2 floppy drives');
      return { controller: 0, unit: idx };
  }
}

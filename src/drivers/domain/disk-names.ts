// Guest disk names <-> controller slots of a VM's devices. The arithmetic is the VMX side's
// (src/vmx/disk-slots.ts) read "wide", as libvirt's ESX driver names disks whatever the hardware
// version: SCSI sd{controller*15 + unit, skipping unit 7 (the controller itself)}, SATA
// sd{controller*30 + unit}, IDE hd{bus*2 + unit}, floppy fd{unit}.
import { diskPrefix } from '../../domain/disk-names.js';
import { WIDE_SCSI_HW, diskNameToSlot, slotToDiskName } from '../../vmx/disk-slots.js';
import { ApiError } from '../errors.js';

export type DiskBusKind = 'scsi' | 'sata' | 'ide' | 'fdc';

export interface Slot {
  /** Controller index (SCSI/SATA), IDE bus (0-1) or 0 for floppies. */
  controller: number;
  unit: number;
}

export function diskName(bus: DiskBusKind, slot: Slot): string {
  return slotToDiskName(bus, slot.controller, slot.unit, WIDE_SCSI_HW);
}

/** How many controllers (IDE: buses; floppy: drives) a VM has at most, and the 400's wording. */
const LIMITS: Record<DiskBusKind, [number, string]> = {
  scsi: [4, 'is beyond 4 controllers x 15 units'],
  sata: [4, 'is beyond 4 controllers x 30 units'],
  ide: [2, 'is beyond 2 buses x 2 units'],
  fdc: [2, 'is beyond 2 floppy drives'],
};

/** The slot a guest disk name stands for on a bus; 400 when the name does not fit the bus. */
export function slotOf(bus: DiskBusKind, dev: string): Slot {
  const bad = (why: string) => new ApiError('config-unsupported', `disk target '${dev}' ${why} on bus ${bus}`, { element: 'devices/disk/target' });
  const slot = diskNameToSlot(dev, bus, WIDE_SCSI_HW);
  if (!slot) throw bad(`needs prefix '${diskPrefix(bus)}'`);
  const controller = bus === 'ide' ? slot.bus : slot.controller;
  const [max, why] = LIMITS[bus];
  if ((bus === 'fdc' ? slot.unit : controller) >= max) throw bad(why);
  return { controller, unit: slot.unit };
}

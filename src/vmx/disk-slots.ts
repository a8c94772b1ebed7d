// VMX disk slots and guest disk names. libvirt names a VMX disk from its slot and derives the
// <address> from the name; the formulas here are the ones its VMX code and
// virDomainDiskDefAssignAddress use for ESX ("wide" SCSI: 15 disks per controller, unit 7 is the
// controller itself).
import { diskNameToIndex, diskPrefix, indexToDiskName } from '../domain/disk-names.js';
import type { DiskBus, DriveAddressDef } from '../domain/model.js';

/** SCSI disks per controller: 15 (units 0-15 but 7), 64 on hardware 13+ ("super wide", units up to 64). */
export const scsiDisksPerController = (virtualHW: number) => (virtualHW >= 13 ? 64 : 15);

/** A hardware version that reads SCSI names "wide" (15 per controller): libvirt's ESX naming. */
export const WIDE_SCSI_HW = 4;

export const SATA_UNITS = 30;

export interface Slot {
  controller: number;
  bus: number;
  unit: number;
}

/** The disk name for a VMX slot (controllerOrBus is the IDE bus for IDE). */
export function slotToDiskName(bus: DiskBus, controllerOrBus: number, unit: number, virtualHW: number): string {
  switch (bus) {
    case 'scsi':
      return indexToDiskName(controllerOrBus * scsiDisksPerController(virtualHW) + (unit < 7 ? unit : unit - 1), 'sd');
    case 'sata':
      return indexToDiskName(controllerOrBus * SATA_UNITS + unit, 'sd');
    case 'ide':
      return indexToDiskName(controllerOrBus * 2 + unit, 'hd');
    default:
      return indexToDiskName(unit, 'fd');
  }
}

/** The slot a disk name stands for, or undefined when the name does not fit the bus. */
export function diskNameToSlot(name: string, bus: DiskBus, virtualHW: number): Slot | undefined {
  const index = diskNameToIndex(name, diskPrefix(bus));
  if (index < 0) return undefined;
  switch (bus) {
    case 'scsi': {
      const perController = scsiDisksPerController(virtualHW);
      const unit = index % perController;
      return { controller: Math.floor(index / perController), bus: 0, unit: unit >= 7 ? unit + 1 : unit };
    }
    case 'sata':
      return { controller: Math.floor(index / SATA_UNITS), bus: 0, unit: index % SATA_UNITS };
    case 'ide':
      return { controller: 0, bus: Math.floor(index / 2), unit: index % 2 };
    case 'fdc':
      return { controller: 0, bus: 0, unit: index };
    default:
      return undefined;
  }
}

export const driveAddress = (slot: Slot): DriveAddressDef => ({
  type: 'drive',
  controller: slot.controller,
  bus: slot.bus,
  target: 0,
  unit: slot.unit,
});

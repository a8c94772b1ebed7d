// <disk> and <controller> -> VMX (libvirt's virVMXVerifyDiskAddress,
// virVMXHandleLegacySCSIDiskDriverName, virVMXGatherSCSIControllers, virVMXFormatDisk and
// virVMXFormatFloppy). SATA, which libvirt only reads, is written the same way.
import { diskNameToIndex } from '../domain/disk-names.js';
import { ConversionError } from '../domain/errors.js';
import { ESX_SCSI_MODELS, type ControllerDef, type DiskDef, type EsxScsiModel } from '../domain/model.js';
import { SATA_UNITS, WIDE_SCSI_HW, diskNameToSlot, type Slot } from './disk-slots.js';
import type { DomainToVmxOptions } from './options.js';
import type { VmxWriter } from './writer.js';

const unsupported = (message: string) => new ConversionError('config-unsupported', message);
const invalid = (message: string) => new ConversionError('config-invalid', message);

// libvirt's SCSI controller model names: a disk driver name must be one of them.
const SCSI_MODEL_NAMES = [
  'auto', 'buslogic', 'lsilogic', 'lsisas1068', 'vmpvscsi', 'ibmvscsi', 'virtio-scsi', 'lsisas1078',
  'virtio-transitional', 'virtio-non-transitional', 'ncr53c90', 'dc390', 'am53c974',
];

export interface PlacedDisk {
  disk: DiskDef;
  bus: 'scsi' | 'sata' | 'ide' | 'fdc';
  slot: Slot;
}

const sameSlot = (a: Slot | undefined, b: Slot) => a !== undefined && a.controller === b.controller && a.bus === b.bus && a.unit === b.unit;

/** Where a disk goes: its <address>, checked against its target name, or the slot the name stands for. */
export function placeDisk(disk: DiskDef, virtualHW: number): PlacedDisk {
  const { dev } = disk.target;
  const bus = disk.target.bus ?? 'scsi';
  if (bus !== 'scsi' && bus !== 'sata' && bus !== 'ide' && bus !== 'fdc') {
    throw unsupported(`Unsupported bus type '${bus}' for disk '${dev}'`);
  }
  if ((disk.device === 'floppy') !== (bus === 'fdc')) {
    throw unsupported(`Unsupported bus type '${bus}' for device type '${disk.device}'`);
  }
  const prefix = bus === 'ide' ? 'hd' : bus === 'fdc' ? 'fd' : 'sd';
  if (diskNameToIndex(dev, prefix) < 0) {
    throw invalid(`Expecting domain XML attribute 'dev' of entry 'devices/disk/target' to start with '${prefix}' but found '${dev}'`);
  }
  // libvirt's ESX naming is "wide" SCSI (15 disks per controller); hardware 13+ VMX files are read
  // "super wide" (64 per controller), so their names are accepted in that reading as well.
  const narrow = diskNameToSlot(dev, bus, WIDE_SCSI_HW);
  const wide = virtualHW >= 13 && bus === 'scsi' ? diskNameToSlot(dev, bus, virtualHW) : undefined;
  let slot: Slot;
  if (disk.address) {
    const a = disk.address;
    slot = { controller: a.controller ?? 0, bus: a.bus ?? 0, unit: a.unit ?? 0 };
    if (!sameSlot(narrow, slot) && !sameSlot(wide, slot)) {
      throw invalid(`Disk address ${slot.controller}:${slot.bus}:${slot.unit} doesn't match target device '${dev}'`);
    }
  } else {
    slot = narrow!;
    if (wide && slot.controller > 3) slot = wide;
  }
  const maxScsiUnit = virtualHW >= 13 ? 64 : 15;
  const checks: [boolean, string][] =
    bus === 'scsi'
      ? [
          [slot.controller > 3, `SCSI controller index ${slot.controller} out of [0..3] range`],
          [slot.bus !== 0, `SCSI bus index ${slot.bus} out of [0] range`],
          [slot.unit > maxScsiUnit || slot.unit === 7, `SCSI unit index ${slot.unit} out of [0..6,8..${maxScsiUnit}] range`],
        ]
      : bus === 'sata'
        ? [
            [slot.controller > 3, `SATA controller index ${slot.controller} out of [0..3] range`],
            [slot.bus !== 0, `SATA bus index ${slot.bus} out of [0] range`],
            [slot.unit >= SATA_UNITS, `SATA unit index ${slot.unit} out of [0..${SATA_UNITS - 1}] range`],
          ]
        : [
            [slot.controller !== 0, `${bus.toUpperCase()} controller index ${slot.controller} out of [0] range`],
            [bus === 'ide' ? slot.bus > 1 : slot.bus !== 0, `${bus.toUpperCase()} bus index ${slot.bus} out of [0${bus === 'ide' ? '..1' : ''}] range`],
            [slot.unit > 1, `${bus.toUpperCase()} unit index ${slot.unit} out of [0..1] range`],
          ];
  for (const [bad, message] of checks) if (bad) throw invalid(message);
  return { disk, bus, slot };
}

/**
 * The virtualDev of each SCSI controller that has disks: the controller's model, or the legacy
 * <driver name> of its disks, or the autodetect callback for model 'auto'. undefined: not present.
 */
export function gatherScsiControllers(
  placed: PlacedDisk[],
  controllers: readonly ControllerDef[],
  autodetect: DomainToVmxOptions['autodetectScsiControllerModel'],
): (EsxScsiModel | 'default' | undefined)[] {
  const models = new Map<number, string | undefined>();
  for (const c of controllers) if (c.type === 'scsi' && !models.has(c.index)) models.set(c.index, c.model);
  const scsi = placed.filter((p) => p.bus === 'scsi');
  for (const { disk, slot } of scsi) {
    const driver = disk.driver?.name?.toLowerCase();
    if (driver === undefined) continue;
    if (!SCSI_MODEL_NAMES.includes(driver)) throw invalid(`Unknown driver name '${disk.driver!.name}'`);
    const current = models.get(slot.controller);
    if (current === undefined) models.set(slot.controller, driver);
    else if (current !== driver) {
      throw invalid(`Inconsistent SCSI controller model ('${driver}' is not '${current}') for SCSI controller index ${slot.controller}`);
    }
  }
  const result: (EsxScsiModel | 'default' | undefined)[] = [undefined, undefined, undefined, undefined];
  for (const [index, declared] of models) {
    const attached = scsi.filter((p) => p.slot.controller === index);
    if (attached.length === 0) continue; // ESX has no use for a SCSI controller without disks
    if (index > 3) throw invalid(`SCSI controller index ${index} out of [0..3] range`);
    let model = declared;
    if (model === 'auto' && autodetect) {
      const detected = attached.map((p) => autodetect(p.disk));
      if (detected.some((m) => m !== detected[0])) {
        throw invalid(`Disks on SCSI controller ${index} have inconsistent controller models, cannot autodetect model`);
      }
      model = detected[0];
    }
    // 'auto' nobody could resolve is left to ESX, which picks the guest OS default.
    if (model === undefined || model === 'auto') result[index] = 'default';
    else if ((ESX_SCSI_MODELS as readonly string[]).includes(model)) result[index] = model as EsxScsiModel;
    else {
      throw invalid(
        `Expecting domain XML attribute 'model' of entry 'controller' to be 'buslogic' or 'lsilogic' or 'lsisas1068' or 'vmpvscsi' but found '${model}'`,
      );
    }
  }
  // Disks on a controller that is not declared at all (libvirt adds it implicitly).
  for (const { slot } of scsi) if (slot.controller <= 3 && result[slot.controller] === undefined) result[slot.controller] = 'default';
  return result;
}

function vmxDeviceType(p: PlacedDisk): string | undefined {
  const { disk, bus } = p;
  const label = `${bus} ${disk.device} '${disk.target.dev}'`;
  if (disk.device === 'disk') {
    if (disk.type !== 'file') throw unsupported(`${label} has an unsupported type '${disk.type}'`);
    // ESX writes no deviceType for SATA hard disks.
    return bus === 'scsi' ? 'scsi-hardDisk' : bus === 'ide' ? 'ata-hardDisk' : undefined;
  }
  if (disk.device === 'cdrom') return disk.type === 'file' ? 'cdrom-image' : 'atapi-cdrom';
  const src = disk.source?.dev ?? disk.source?.file;
  return bus === 'scsi' && src?.startsWith('/vmfs/devices/cdrom/') ? 'scsi-passthru' : 'cdrom-raw';
}

export function formatDisk(out: VmxWriter, p: PlacedDisk, formatFileName: (src: string) => string): void {
  const { disk, bus, slot } = p;
  const prefix = bus === 'ide' ? `ide${slot.bus}:${slot.unit}` : `${bus}${slot.controller}:${slot.unit}`;
  const deviceType = vmxDeviceType(p);
  out.set(`${prefix}.present`, 'true');
  if (deviceType !== undefined) out.set(`${prefix}.deviceType`, deviceType);
  if (disk.type === 'file') {
    const src = disk.source?.file;
    const ext = disk.device === 'disk' ? '.vmdk' : '.iso';
    if (src !== undefined) {
      if (!src.toLowerCase().endsWith(ext)) {
        throw invalid(`Image file for ${bus} ${disk.device} '${disk.target.dev}' has unsupported suffix, expecting '${ext}'`);
      }
      out.set(`${prefix}.fileName`, formatFileName(src));
    } else if (disk.device === 'disk') {
      throw invalid(`${bus} disk '${disk.target.dev}' has no source file`);
    } else {
      out.set(`${prefix}.fileName`, 'emptyBackingString');
    }
  } else if (disk.source?.dev === undefined && disk.source?.startupPolicy === 'optional') {
    out.set(`${prefix}.autodetect`, 'true');
    out.set(`${prefix}.fileName`, 'auto detect');
  } else if (disk.source?.dev !== undefined) {
    out.set(`${prefix}.fileName`, disk.source.dev);
  }
  const cache = disk.driver?.cache;
  if (cache === 'writethrough') out.set(`${prefix}.writeThrough`, 'true');
  else if (cache !== undefined && cache !== 'default') {
    throw unsupported(`${bus} harddisk '${disk.target.dev}' has unsupported cache mode '${cache}'`);
  }
  if (disk.transient) out.set(`${prefix}.mode`, 'independent-nonpersistent');
}

export function formatFloppy(out: VmxWriter, p: PlacedDisk, formatFileName: (src: string) => string): void {
  const { disk, slot } = p;
  const prefix = `floppy${slot.unit}`;
  out.set(`${prefix}.present`, 'true');
  if (disk.type === 'file') {
    out.set(`${prefix}.fileType`, 'file');
    if (disk.source?.file !== undefined) out.set(`${prefix}.fileName`, formatFileName(disk.source.file));
  } else {
    out.set(`${prefix}.fileType`, 'device');
    if (disk.source?.dev !== undefined) out.set(`${prefix}.fileName`, disk.source.dev);
  }
}

// VMX -> <disk> and <controller> (libvirt's virVMXParseDisk and the disk loop of
// virVMXParseConfig). Each slot is tried as a hard disk and then as a CD-ROM; the file name suffix
// and deviceType decide which reading claims it.
import { ConversionError } from '../domain/errors.js';
import type { ControllerDef, DiskBus, DiskDef, EsxScsiModel } from '../domain/model.js';
import type { VmxConfig } from './config.js';
import { SATA_UNITS, driveAddress, scsiDisksPerController, slotToDiskName } from './disk-slots.js';
import type { FileNameContext, ParseFileName } from './file-names.js';

interface DiskContext {
  conf: VmxConfig;
  virtualHW: number;
  parseFileName: ParseFileName;
  fileNames: FileNameContext;
}

const endsWithCI = (s: string | undefined, suffix: string) => s !== undefined && s.toLowerCase().endsWith(suffix);
const eqCI = (s: string | undefined, t: string) => s !== undefined && s.toLowerCase() === t.toLowerCase();

const CDROM_DEVICE_TYPES = ['atapi-cdrom', 'cdrom-raw', 'cdrom-image'];
const CDROM_PASSTHRU_PREFIX = '/vmfs/devices/cdrom/';

function resolveFile(ctx: DiskContext, fileName: string, entry: string, allowMissing: boolean): string | undefined {
  const source = ctx.parseFileName(fileName, ctx.fileNames);
  if (source !== null) return source;
  if (allowMissing) return undefined;
  throw new ConversionError('file-missing', `Referenced missing file '${fileName}' (VMX entry '${entry}')`, { path: entry });
}

function unhandled(fileName: string | undefined, entry: string, deviceType: string | undefined): ConversionError {
  return new ConversionError(
    'vmx-invalid',
    `Invalid or not yet handled value '${fileName ?? '(null)'}' for VMX entry '${entry}' for device type '${deviceType ?? 'unknown'}'`,
    { path: entry },
  );
}

/** Reads one slot as `device`; null when the slot is empty or belongs to the other reading. */
function parseSlot(
  ctx: DiskContext,
  device: 'disk' | 'cdrom' | 'floppy',
  bus: DiskBus,
  controllerOrBus: number,
  unit: number,
): DiskDef | null {
  const { conf } = ctx;
  const prefix =
    bus === 'fdc' ? `floppy${unit}` : `${bus === 'ide' ? 'ide' : bus === 'sata' ? 'sata' : 'scsi'}${controllerOrBus}:${unit}`;
  if (!conf.boolean(`${prefix}.present`, false)) return null;
  conf.boolean(`${prefix}.startConnected`, true); // validated only: libvirt lists disconnected devices too
  const deviceType = conf.string(`${prefix}.deviceType`);
  // Client devices are connected through the vSphere client; nothing to describe on the host side.
  if (conf.boolean(`${prefix}.clientDevice`, false)) return null;
  const mode = conf.string(`${prefix}.mode`);
  const fileType = conf.string(`${prefix}.fileType`);
  const fileNameKey = `${prefix}.fileName`;
  const fileName = conf.string(fileNameKey);
  const writeThrough = conf.boolean(`${prefix}.writeThrough`, false);

  const dev = slotToDiskName(bus, controllerOrBus, unit, ctx.virtualHW);
  const address = driveAddress(
    bus === 'ide' ? { controller: 0, bus: controllerOrBus, unit } : { controller: bus === 'fdc' ? 0 : controllerOrBus, bus: 0, unit },
  );
  const target = { dev, bus };

  if (device === 'disk') {
    if (
      fileName === undefined ||
      endsWithCI(fileName, '.iso') ||
      fileName === 'emptyBackingString' ||
      CDROM_DEVICE_TYPES.some((t) => eqCI(deviceType, t)) ||
      (eqCI(deviceType, 'scsi-passthru') && fileName.startsWith(CDROM_PASSTHRU_PREFIX))
    ) {
      return null; // a CD-ROM: the cdrom reading takes it
    }
    if (!endsWithCI(fileName, '.vmdk')) throw unhandled(fileName, fileNameKey, deviceType);
    if (deviceType !== undefined) {
      const expected = bus === 'scsi' ? 'scsi-hardDisk' : bus === 'ide' ? 'ata-hardDisk' : undefined;
      if (expected !== undefined && !eqCI(deviceType, expected) && !eqCI(deviceType, 'disk')) {
        throw new ConversionError('vmx-invalid', `Expecting VMX entry '${prefix}.deviceType' to be '${expected}' or 'disk' but found '${deviceType}'`, {
          path: `${prefix}.deviceType`,
        });
      }
    }
    const file = resolveFile(ctx, fileName, fileNameKey, false)!;
    return {
      type: 'file',
      device: 'disk',
      ...(writeThrough ? { driver: { cache: 'writethrough' as const } } : {}),
      source: { file },
      target,
      ...(eqCI(mode, 'independent-nonpersistent') ? { transient: true } : {}),
      address,
    };
  }

  if (device === 'cdrom') {
    if (endsWithCI(fileName, '.vmdk')) return null; // a hard disk: the disk reading took it
    const finish = (disk: Omit<DiskDef, 'target' | 'readonly' | 'address'>): DiskDef => ({ ...disk, target, readonly: true, address });
    if (fileName !== undefined && endsWithCI(fileName, '.iso')) {
      if (deviceType !== undefined && !eqCI(deviceType, 'cdrom-image')) {
        throw new ConversionError('vmx-invalid', `Expecting VMX entry '${prefix}.deviceType' to be 'cdrom-image' but found '${deviceType}'`, {
          path: `${prefix}.deviceType`,
        });
      }
      const file = resolveFile(ctx, fileName, fileNameKey, true);
      return finish(file === undefined ? { type: 'file', device: 'cdrom' } : { type: 'file', device: 'cdrom', source: { file } });
    }
    const hostDevice = (lun: boolean): DiskDef => {
      const disk: Omit<DiskDef, 'target'> = { type: 'block', device: lun ? 'lun' : 'cdrom' };
      if (fileName !== undefined && eqCI(fileName, 'auto detect')) disk.source = { startupPolicy: 'optional' };
      else if (fileName !== undefined && fileName !== '') disk.source = { dev: fileName };
      return finish(disk);
    };
    if (eqCI(deviceType, 'atapi-cdrom')) return hostDevice(false);
    // Raw access CD-ROMs and SCSI pass-through CD-ROMs are device='lun' in libvirt.
    if (eqCI(deviceType, 'cdrom-raw')) return hostDevice(true);
    if (bus === 'scsi' && eqCI(deviceType, 'scsi-passthru')) {
      if (fileName === undefined || !fileName.startsWith(CDROM_PASSTHRU_PREFIX)) return null;
      return finish({ type: 'block', device: 'lun', source: { dev: fileName } });
    }
    if (fileName === '' || fileName === 'emptyBackingString') {
      if (deviceType !== undefined && !eqCI(deviceType, 'cdrom-image')) {
        throw new ConversionError('vmx-invalid', `Expecting VMX entry '${prefix}.deviceType' to be 'cdrom-image' but found '${deviceType}'`, {
          path: `${prefix}.deviceType`,
        });
      }
      return finish({ type: 'file', device: 'cdrom' });
    }
    throw unhandled(fileName, fileNameKey, deviceType);
  }

  // floppy
  const disk: Omit<DiskDef, 'target'> = { type: 'file', device: 'floppy' };
  if (eqCI(fileType, 'device')) {
    disk.type = 'block';
    if (fileName !== undefined) disk.source = { dev: fileName };
  } else if (eqCI(fileType, 'file')) {
    if (fileName !== undefined) disk.source = { file: resolveFile(ctx, fileName, fileNameKey, false)! };
  } else {
    throw unhandled(fileName, fileNameKey, deviceType);
  }
  return { ...disk, target, address };
}

const SCSI_MODELS: Record<string, EsxScsiModel> = {
  buslogic: 'buslogic',
  lsilogic: 'lsilogic',
  lsisas1068: 'lsisas1068',
  pvscsi: 'vmpvscsi',
};

/** scsiN.present and scsiN.virtualDev. */
function parseScsiController(conf: VmxConfig, controller: number): { present: boolean; model?: EsxScsiModel } {
  if (!conf.boolean(`scsi${controller}.present`, false)) return { present: false };
  const key = `scsi${controller}.virtualDev`;
  const virtualDev = conf.string(key);
  if (virtualDev === undefined) return { present: true };
  const model = SCSI_MODELS[virtualDev.toLowerCase()];
  if (model === undefined) {
    throw new ConversionError(
      'vmx-invalid',
      `Expecting VMX entry '${key}' to be 'buslogic' or 'lsilogic' or 'lsisas1068' or 'pvscsi' but found '${virtualDev}'`,
      { path: key },
    );
  }
  return { present: true, model };
}

export interface ParsedStorage {
  disks: DiskDef[];
  controllers: ControllerDef[];
}

export function parseStorage(
  conf: VmxConfig,
  virtualHW: number,
  parseFileName: ParseFileName,
  fileNames: FileNameContext,
): ParsedStorage {
  const ctx: DiskContext = { conf, virtualHW, parseFileName, fileNames };
  const disks: DiskDef[] = [];
  const controllers: ControllerDef[] = [];
  const slot = (bus: DiskBus, c: number, u: number) => parseSlot(ctx, 'disk', bus, c, u) ?? parseSlot(ctx, 'cdrom', bus, c, u);

  // Controllers are listed up to the last one that has a disk, as libvirt does.
  const lastController = (list: DiskDef[]) => Math.max(-1, ...list.map((d) => d.address?.controller ?? 0));

  const scsiModels: (EsxScsiModel | undefined)[] = [];
  const scsiDisks: DiskDef[] = [];
  const maxUnit = scsiDisksPerController(virtualHW);
  for (let c = 0; c < 4; c++) {
    const controller = parseScsiController(conf, c);
    scsiModels.push(controller.model);
    if (!controller.present) continue;
    for (let u = 0; u <= maxUnit; u++) {
      if (u === 7) continue; // unit 7 is the controller itself
      const disk = slot('scsi', c, u);
      if (disk) scsiDisks.push(disk);
    }
  }
  for (let c = 0; c <= lastController(scsiDisks); c++) {
    const model = scsiModels[c];
    controllers.push(model === undefined ? { type: 'scsi', index: c } : { type: 'scsi', index: c, model });
  }

  const sataDisks: DiskDef[] = [];
  for (let c = 0; c < 4; c++) {
    if (!conf.boolean(`sata${c}.present`, false)) continue;
    for (let u = 0; u < SATA_UNITS; u++) {
      const disk = slot('sata', c, u);
      if (disk) sataDisks.push(disk);
    }
  }
  for (let c = 0; c <= lastController(sataDisks); c++) controllers.push({ type: 'sata', index: c });

  const ideDisks: DiskDef[] = [];
  for (let bus = 0; bus < 2; bus++) {
    for (let u = 0; u < 2; u++) {
      const disk = slot('ide', bus, u);
      if (disk) ideDisks.push(disk);
    }
  }

  const floppies: DiskDef[] = [];
  for (let u = 0; u < 2; u++) {
    const disk = parseSlot(ctx, 'floppy', 'fdc', 0, u);
    if (disk) floppies.push(disk);
  }

  // libvirt adds the implicit controllers after parsing, floppy before IDE.
  if (floppies.length > 0) controllers.push({ type: 'fdc', index: 0 });
  if (ideDisks.length > 0) controllers.push({ type: 'ide', index: 0 });

  return { disks: [...scsiDisks, ...sataDisks, ...ideDisks, ...floppies], controllers };
}

// JSON form of libvirt's <disk>, <controller> and <filesystem> elements (one key per attribute or
// child element, camelCase). Values that libvirt accepts but VMX cannot express are still listed, so
// a definition validates and the VMX conversion names the offending value instead.
import { Type } from 'typebox';

const strict = { additionalProperties: false } as const;
const uint = (description: string) => Type.Integer({ minimum: 0, description });

export const DiskDriver = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "<driver name>. On a SCSI disk the legacy values 'buslogic', 'lsilogic', 'lsisas1068' and 'vmpvscsi' " +
          "set the model of the disk's SCSI controller (libvirt's ESX behaviour).",
      }),
    ),
    type: Type.Optional(Type.String({ minLength: 1, description: "<driver type>: image format, e.g. 'raw' or 'vmdk'." })),
    cache: Type.Optional(
      Type.Enum(['default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe'], {
        description: "<driver cache>. ESX supports only 'writethrough' (VMX writeThrough) besides the default.",
      }),
    ),
  },
  { ...strict, description: '<driver>: hypervisor-side driver settings of the disk.' },
);

export const DiskSource = Type.Object(
  {
    file: Type.Optional(
      Type.String({
        minLength: 1,
        description: "Image for type 'file': a datastore path '[datastore] dir/disk.vmdk' or an absolute path.",
      }),
    ),
    dev: Type.Optional(Type.String({ minLength: 1, description: "Host device for type 'block', e.g. '/dev/scd0'." })),
    startupPolicy: Type.Optional(
      Type.Enum(['mandatory', 'requisite', 'optional'], {
        description: "'optional' without a device: a host CD-ROM auto-detected at power-on (VMX 'auto detect').",
      }),
    ),
  },
  { ...strict, description: '<source>: what backs the disk. Absent for an empty CD-ROM.' },
);

export const DiskTarget = Type.Object(
  {
    dev: Type.String({
      pattern: '^[a-z]+$',
      description: "Guest device name: 'sdX' for SCSI and SATA, 'hdX' for IDE, 'fdX' for floppies.",
    }),
    bus: Type.Optional(
      Type.Enum(['ide', 'fdc', 'scsi', 'virtio', 'xen', 'usb', 'uml', 'sata', 'sd'], {
        description: 'Bus; defaults from the device name prefix (hd: ide, sd: scsi, fd: fdc).',
      }),
    ),
  },
  { ...strict, description: '<target>: how the guest sees the disk.' },
);

export const DriveAddress = Type.Object(
  {
    type: Type.Literal('drive', { description: "Always 'drive' for disks." }),
    controller: Type.Optional(uint('Controller index (SCSI/SATA: 0-3; IDE and floppy: 0).')),
    bus: Type.Optional(uint('Bus on the controller (IDE: 0-1; others: 0).')),
    target: Type.Optional(uint('Target (always 0 on ESX).')),
    unit: Type.Optional(uint('Unit (SCSI: 0-6, 8-15, up to 64 on hardware 13+; SATA: 0-29; IDE and floppy: 0-1).')),
  },
  { ...strict, description: '<address>: where the disk sits. Derived from the target name when absent.' },
);

export const Disk = Type.Object(
  {
    type: Type.Enum(['file', 'block'], { description: "'file': image file; 'block': host device." }),
    device: Type.Enum(['disk', 'cdrom', 'floppy', 'lun'], {
      description: "'lun' is a raw (pass-through) CD-ROM: VMX 'cdrom-raw' or 'scsi-passthru'.",
    }),
    driver: Type.Optional(DiskDriver),
    source: Type.Optional(DiskSource),
    target: DiskTarget,
    readonly: Type.Optional(Type.Boolean({ description: '<readonly/>: always set on CD-ROMs read from VMX.' })),
    shareable: Type.Optional(Type.Boolean({ description: '<shareable/>.' })),
    transient: Type.Optional(
      Type.Boolean({ description: "<transient/>: changes are discarded at power-off (VMX mode 'independent-nonpersistent')." }),
    ),
    address: Type.Optional(DriveAddress),
  },
  { ...strict, description: '<disk>: a hard disk, CD-ROM or floppy.' },
);

export const Controller = Type.Object(
  {
    type: Type.Enum(['ide', 'fdc', 'scsi', 'sata', 'usb', 'pci', 'virtio-serial', 'ccid', 'xenbus', 'isa'], {
      description: 'Controller type. VMX knows scsi, sata, ide and fdc; the others are ignored by the conversion.',
    }),
    index: uint('Controller index (SCSI and SATA: 0-3).'),
    model: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Model. SCSI on ESX: 'buslogic', 'lsilogic', 'lsisas1068', 'vmpvscsi', or 'auto' (detected from the disks). " +
          'Absent: ESX picks its default for the guest OS.',
      }),
    ),
  },
  { ...strict, description: '<controller>.' },
);

export const Filesystem = Type.Object(
  {
    type: Type.Enum(['mount'], { description: "Only 'mount' (a VMware shared folder)." }),
    accessmode: Type.Optional(Type.Enum(['passthrough', 'mapped', 'squash'], { description: '<filesystem accessmode>.' })),
    source: Type.Object(
      { dir: Type.String({ minLength: 1, description: 'Host directory (VMX hostPath).' }) },
      { ...strict, description: '<source dir>.' },
    ),
    target: Type.Object(
      { dir: Type.String({ minLength: 1, description: 'Name the guest sees (VMX guestName).' }) },
      { ...strict, description: '<target dir>.' },
    ),
    readonly: Type.Optional(Type.Boolean({ description: '<readonly/>: no write access (VMX writeAccess false).' })),
  },
  { ...strict, description: '<filesystem>: a host folder shared with the guest (VMX sharedFolderN).' },
);

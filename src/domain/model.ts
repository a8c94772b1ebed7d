// The domain model: the static types of the JSON definition schema. The schema is the single
// source; these aliases give the converters readable names for its parts.
import type { Static } from 'typebox';
import type { Controller, Disk, DiskSource, DriveAddress, Filesystem } from './schema-storage.js';
import type { Console, Graphics, Interface, Memballoon, SerialOrParallel, Tpm, Video } from './schema-devices.js';
import type { Cpu, Devices, Os, Vcpu } from './schema.js';

export { DomainDefinition } from './schema.js';

export type DiskDef = Static<typeof Disk>;
export type DiskSourceDef = Static<typeof DiskSource>;
export type DriveAddressDef = Static<typeof DriveAddress>;
export type ControllerDef = Static<typeof Controller>;
export type FilesystemDef = Static<typeof Filesystem>;
export type InterfaceDef = Static<typeof Interface>;
export type ChrDef = Static<typeof SerialOrParallel>;
export type ConsoleDef = Static<typeof Console>;
export type GraphicsDef = Static<typeof Graphics>;
export type VideoDef = Static<typeof Video>;
export type TpmDef = Static<typeof Tpm>;
export type MemballoonDef = Static<typeof Memballoon>;
export type DevicesDef = Static<typeof Devices>;
export type OsDef = Static<typeof Os>;
export type VcpuDef = Static<typeof Vcpu>;
export type CpuDef = Static<typeof Cpu>;

export type DiskBus = DiskDef['target'] extends { bus?: infer B } ? NonNullable<B> : never;

/** SCSI controller models ESX has (libvirt names; VMX writes 'pvscsi' for 'vmpvscsi'). */
export const ESX_SCSI_MODELS = ['buslogic', 'lsilogic', 'lsisas1068', 'vmpvscsi'] as const;
export type EsxScsiModel = (typeof ESX_SCSI_MODELS)[number];

/** NIC models ESX has. */
export const ESX_NIC_MODELS = ['vlance', 'vmxnet', 'vmxnet2', 'vmxnet3', 'e1000', 'e1000e'] as const;

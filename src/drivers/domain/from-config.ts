// vSphere VirtualMachineConfigInfo -> the domain model (src/domain): what libvirt's ESX driver
// reports for a VM, read from `config` rather than the VMX file so it is the same on a real ESX,
// on vCenter and on the simulator. Pure: no I/O.
import type { ControllerDef, DiskDef, DomainDefinition, InterfaceDef, ChrDef, VideoDef } from '../../domain/model.js';
import { type DiskBusKind, diskName } from './disk-names.js';
import { nameFromVi, normalizeUuid, UUID_RE } from './state.js';

/** Loosely typed vim25 data object, as decoded by the SOAP layer. */
export type Vi = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const SCSI_MODELS: Record<string, string> = {
  VirtualBusLogicController: 'buslogic',
  VirtualLsiLogicController: 'lsilogic',
  VirtualLsiLogicSASController: 'lsisas1068',
  ParaVirtualSCSIController: 'vmpvscsi',
};
export const NIC_MODELS: Record<string, string> = {
  VirtualPCNet32: 'vlance',
  VirtualVmxnet: 'vmxnet',
  VirtualVmxnet2: 'vmxnet2',
  VirtualVmxnet3: 'vmxnet3',
  VirtualE1000: 'e1000',
  VirtualE1000e: 'e1000e',
};
const SATA_TYPES = new Set(['VirtualAHCIController', 'VirtualSATAController']);

/** vCPU shares per level (vSphere's SharesLevel for CPUs: per vCPU). */
export function cpuShares(alloc: Vi | undefined, vcpus: number): number | undefined {
  const s = alloc?.shares;
  if (!s) return undefined;
  switch (s.level) {
    case 'low':
      return 500 * vcpus;
    case 'normal':
      return 1000 * vcpus;
    case 'high':
      return 2000 * vcpus;
    default:
      return typeof s.shares === 'number' ? s.shares : undefined;
  }
}

interface Bus {
  kind: DiskBusKind;
  index: number;
}

function busesOf(devices: Vi[]): Map<number, Bus> {
  const m = new Map<number, Bus>();
  for (const d of devices) {
    const t = String(d._type);
    const index = Number(d.busNumber ?? 0);
    if (SCSI_MODELS[t]) m.set(d.key, { kind: 'scsi', index });
    else if (SATA_TYPES.has(t)) m.set(d.key, { kind: 'sata', index });
    else if (t === 'VirtualIDEController') m.set(d.key, { kind: 'ide', index });
    else if (t === 'VirtualSIOController') m.set(d.key, { kind: 'fdc', index: 0 });
  }
  return m;
}

function diskOf(d: Vi, bus: Bus | undefined): DiskDef | undefined {
  if (!bus) return undefined;
  const t = String(d._type);
  const b: Vi = d.backing ?? {};
  const bt = String(b._type ?? '');
  const unit = Number(d.unitNumber ?? 0);
  const target = { dev: diskName(bus.kind, { controller: bus.index, unit }), bus: bus.kind };
  const address = { type: 'drive' as const, controller: bus.kind === 'ide' || bus.kind === 'fdc' ? 0 : bus.index, bus: bus.kind === 'ide' ? bus.index : 0, target: 0, unit };
  if (t === 'VirtualDisk') {
    const disk: DiskDef = { type: 'file', device: 'disk', target, address };
    if (b.fileName) disk.source = { file: String(b.fileName) };
    if (b.writeThrough === true) disk.driver = { cache: 'writethrough' };
    if (b.diskMode === 'independent_nonpersistent' || b.diskMode === 'nonpersistent') disk.transient = true;
    if (bt.includes('RawDiskMapping') && b.deviceName) {
      disk.type = 'block';
      disk.source = { dev: String(b.deviceName) };
    }
    return disk;
  }
  if (t === 'VirtualCdrom' || t === 'VirtualFloppy') {
    const device = t === 'VirtualCdrom' ? 'cdrom' : 'floppy';
    const disk: DiskDef = { type: 'file', device, target, address };
    if (bt.endsWith('IsoBackingInfo') || bt.endsWith('ImageBackingInfo')) {
      if (b.fileName) disk.source = { file: String(b.fileName) };
    } else if (bt.includes('Passthrough')) {
      disk.type = 'block';
      disk.device = 'lun';
      if (b.deviceName) disk.source = { dev: String(b.deviceName) };
    } else {
      disk.type = 'block';
      if (b.useAutoDetect === true || !b.deviceName) disk.source = { startupPolicy: 'optional' };
      else disk.source = { dev: String(b.deviceName) };
    }
    if (device === 'cdrom') disk.readonly = true;
    return disk;
  }
  return undefined;
}

function interfaceOf(d: Vi): InterfaceDef {
  const b: Vi = d.backing ?? {};
  const bt = String(b._type ?? '');
  const nic: InterfaceDef = { type: 'null' };
  if (bt === 'VirtualEthernetCardNetworkBackingInfo') {
    nic.type = 'bridge';
    nic.source = { bridge: String(b.deviceName ?? '') };
  } else if (bt === 'VirtualEthernetCardDistributedVirtualPortBackingInfo') {
    nic.type = 'vds';
    const p: Vi = b.port ?? {};
    nic.source = {};
    if (p.switchUuid && UUID_RE.test(String(p.switchUuid).replace(/ /g, ''))) nic.source.switchId = normalizeUuid(String(p.switchUuid).replace(/ /g, ''));
    if (p.portgroupKey) nic.source.portgroupId = String(p.portgroupKey);
    if (p.portKey !== undefined && /^\d+$/.test(String(p.portKey))) nic.source.portId = Number(p.portKey);
    if (typeof p.connectionCookie === 'number') nic.source.connectionId = p.connectionCookie;
  } else if (bt === 'VirtualEthernetCardOpaqueNetworkBackingInfo') {
    nic.type = 'bridge';
    nic.source = { bridge: String(b.opaqueNetworkId ?? '') };
  }
  if (d.macAddress) nic.mac = { address: String(d.macAddress).toLowerCase(), type: d.addressType === 'manual' ? 'static' : 'generated' };
  const model = NIC_MODELS[String(d._type)];
  if (model) nic.model = { type: model };
  return nic;
}

/** A serial or parallel port; undefined for backings libvirt cannot express. */
function chrOf(d: Vi, port: number): ChrDef | undefined {
  const b: Vi = d.backing ?? {};
  const bt = String(b._type ?? '');
  const target = { port };
  if (bt.endsWith('FileBackingInfo')) return { type: 'file', source: { path: String(b.fileName ?? '') }, target };
  if (bt.endsWith('DeviceBackingInfo')) return { type: 'dev', source: { path: String(b.deviceName ?? '') }, target };
  if (bt.endsWith('PipeBackingInfo')) return { type: 'pipe', source: { path: String(b.pipeName ?? '') }, target };
  if (bt.endsWith('URIBackingInfo')) {
    const m = /^([a-z+]+):\/\/\[?([^\]/]*?)\]?:(\d+)/i.exec(String(b.serviceURI ?? ''));
    if (!m) return undefined;
    const scheme = m[1]!.toLowerCase();
    const protocol = scheme === 'telnet' ? 'telnet' : scheme === 'telnets' ? 'telnets' : scheme === 'ssl' || scheme === 'tcp+ssl' ? 'tls' : 'raw';
    return {
      type: 'tcp',
      source: { mode: b.direction === 'server' ? 'bind' : 'connect', host: m[2] || '0.0.0.0', service: m[3]! },
      protocol: { type: protocol },
      target,
    };
  }
  return undefined;
}

/** extraConfig as a key -> string map. */
export function extraConfigMap(cfg: Vi): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of (cfg.extraConfig ?? []) as Vi[]) if (o?.key !== undefined) m.set(String(o.key), String(o.value ?? ''));
  return m;
}

/**
 * The domain definition of a VM. `name` is the vSphere entity name (escaped); `moref` its id.
 */
export function definitionFromConfig(cfg: Vi, o: { name?: string; moref?: string; id?: number | null } = {}): DomainDefinition {
  const hw: Vi = cfg.hardware ?? {};
  const devices: Vi[] = hw.device ?? [];
  const vcpus = Number(hw.numCPU ?? 1);
  const memory = Number(hw.memoryMB ?? 0) * 1024;
  const def: DomainDefinition = { type: 'vmware', name: nameFromVi(String(o.name ?? cfg.name ?? '')), memory: Math.max(memory, 1) };
  if (o.id != null) def.id = o.id;
  if (typeof cfg.uuid === 'string' && UUID_RE.test(cfg.uuid)) def.uuid = normalizeUuid(cfg.uuid);
  if (cfg.annotation) def.description = String(cfg.annotation);
  // libvirt's ESX driver: currentMemory is the memory limit when one is set below the size.
  const limit = Number(cfg.memoryAllocation?.limit ?? -1);
  def.currentMemory = limit > 0 && limit * 1024 < memory ? limit * 1024 : memory;
  const reservation = Number(cfg.memoryAllocation?.reservation ?? 0);
  if (reservation > 0) def.memtune = { minGuarantee: reservation * 1024 };
  def.vcpu = { count: vcpus, placement: 'static' };
  const shares = cpuShares(cfg.cpuAllocation, vcpus);
  if (shares !== undefined) def.cputune = { shares };
  const cores = Number(hw.numCoresPerSocket ?? 1);
  if (cores > 1 && vcpus % cores === 0) def.cpu = { topology: { sockets: vcpus / cores, cores, threads: 1 } };
  def.os = { type: 'hvm', arch: /64/.test(String(cfg.guestId ?? '')) ? 'x86_64' : 'i686' };
  if (cfg.firmware === 'efi') def.os.firmware = 'efi';

  const buses = busesOf(devices);
  const disks: DiskDef[] = [];
  const controllers: ControllerDef[] = [];
  const interfaces: InterfaceDef[] = [];
  const serials: ChrDef[] = [];
  const parallels: ChrDef[] = [];
  const videos: VideoDef[] = [];
  for (const d of devices) {
    const t = String(d._type);
    if (SCSI_MODELS[t]) controllers.push({ type: 'scsi', index: Number(d.busNumber ?? 0), model: SCSI_MODELS[t] });
    else if (SATA_TYPES.has(t)) controllers.push({ type: 'sata', index: Number(d.busNumber ?? 0) });
    else if (t === 'VirtualDisk' || t === 'VirtualCdrom' || t === 'VirtualFloppy') {
      const disk = diskOf(d, buses.get(d.controllerKey));
      if (disk) disks.push(disk);
    } else if (NIC_MODELS[t] || d.macAddress !== undefined) interfaces.push(interfaceOf(d));
    else if (t === 'VirtualSerialPort') {
      const c = chrOf(d, serials.length);
      if (c) serials.push(c);
    } else if (t === 'VirtualParallelPort') {
      const c = chrOf(d, parallels.length);
      if (c) parallels.push(c);
    } else if (t === 'VirtualMachineVideoCard') {
      const v: VideoDef = { model: { type: 'vmvga', heads: Number(d.numDisplays ?? 1) } };
      if (typeof d.videoRamSizeInKB === 'number') v.model.vram = d.videoRamSizeInKB;
      videos.push(v);
    }
  }
  // libvirt's VMX order: SCSI, SATA, IDE, floppy; by slot within a bus.
  const rank = (d: DiskDef) => ['scsi', 'sata', 'ide', 'fdc'].indexOf(d.target.bus ?? '');
  const slot = (d: DiskDef) => ((d.address?.controller ?? 0) * 4 + (d.address?.bus ?? 0)) * 100 + (d.address?.unit ?? 0);
  disks.sort((a, b) => rank(a) - rank(b) || slot(a) - slot(b));
  controllers.sort((a, b) => a.type.localeCompare(b.type) || a.index - b.index);
  def.devices = {};
  if (disks.length) def.devices.disks = disks;
  if (controllers.length) def.devices.controllers = controllers;
  if (interfaces.length) def.devices.interfaces = interfaces;
  if (serials.length) {
    def.devices.serials = serials;
    def.devices.consoles = [{ ...serials[0]!, target: { type: 'serial', port: 0 } }];
  }
  if (parallels.length) def.devices.parallels = parallels;
  if (videos.length) def.devices.videos = videos;
  const x = extraConfigMap(cfg);
  if (x.get('RemoteDisplay.vnc.enabled')?.toLowerCase() === 'true') {
    const port = Number(x.get('RemoteDisplay.vnc.port'));
    const g: NonNullable<NonNullable<DomainDefinition['devices']>['graphics']>[number] = { type: 'vnc' };
    if (Number.isInteger(port) && port > 0) g.port = port;
    else g.autoport = true;
    const ip = x.get('RemoteDisplay.vnc.ip');
    if (ip) g.listens = [{ type: 'address', address: ip }];
    const keymap = x.get('RemoteDisplay.vnc.keymap');
    if (keymap) g.keymap = keymap;
    def.devices.graphics = [g];
  }
  if (o.moref) def.vmware = { moref: o.moref };
  return def;
}

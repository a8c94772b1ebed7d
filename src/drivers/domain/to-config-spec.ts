// The domain model -> a vSphere VirtualMachineConfigSpec for CreateVM_Task (define) and the
// device part of ReconfigVM_Task (edit). Pure: the caller resolves port groups and datastores
// first. What ESX cannot express is a 400 naming the element, never dropped silently.
import type { ChrDef, DiskDef, DomainDefinition, InterfaceDef } from '../../domain/model.js';
import { parseDatastorePath } from '../../esx/datastore-path.js';
import { ApiError } from '../errors.js';
import { type DiskBusKind, slotOf } from './disk-names.js';
import { NIC_MODELS, SCSI_MODELS, type Vi } from './from-config.js';
import { nameToVi } from './state.js';

export interface PortGroup {
  name: string;
  ref: { type: string; value: string };
  /** Distributed port groups: their key and switch UUID. */
  dvs?: { portgroupKey: string; switchUuid: string };
}

export interface SpecContext {
  /** Port groups by name (standard and distributed). */
  networks: Map<string, PortGroup>;
  /** Datastore for the VM's files when no disk names one. */
  defaultDatastore: string;
}

const unsupported = (element: string, why: string) => new ApiError('config-unsupported', `${element}: ${why}`, { element });
const SCSI_TYPE_BY_MODEL = Object.fromEntries(Object.entries(SCSI_MODELS).map(([t, m]) => [m, t]));
const NIC_TYPE_BY_MODEL = Object.fromEntries(Object.entries(NIC_MODELS).map(([t, m]) => [m, t]));
/** Keys the default devices have on ESX (and in the simulator): IDE 0/1 and the SIO controller. */
const IDE_KEYS = [200, 201];
const SIO_KEY = 400;

/** Top-level elements ESX has no place for. */
export function checkUnsupported(def: DomainDefinition): void {
  if (def.title !== undefined) throw unsupported('title', 'ESX does not store a title; use description');
  if (def.genid !== undefined) throw unsupported('genid', 'not supported by this driver');
  if (def.clock && def.clock.offset !== 'utc') throw unsupported('clock', "only offset 'utc' (the ESX guest clock follows the host)");
  if (def.onPoweroff && def.onPoweroff !== 'destroy') throw unsupported('on_poweroff', "only 'destroy'");
  if (def.onReboot && def.onReboot !== 'restart') throw unsupported('on_reboot', "only 'restart'");
  if (def.onCrash && def.onCrash !== 'destroy') throw unsupported('on_crash', "only 'destroy'");
  if (def.os?.boot && !(def.os.boot.length === 1 && def.os.boot[0]!.dev === 'hd')) throw unsupported('os/boot', "ESX boots from its BIOS/EFI order; only <boot dev='hd'/>");
  if (def.os?.machine && !/^vmx-\d+$/.test(def.os.machine)) throw unsupported('os/type@machine', "use a virtual hardware version such as 'vmx-13'");
  if (def.memtune && (def.memtune.hardLimit !== undefined || def.memtune.softLimit !== undefined || def.memtune.swapHardLimit !== undefined)) {
    throw unsupported('memtune', 'only min_guarantee (the memory reservation); the limit is currentMemory');
  }
  if (def.cpu && (def.cpu.mode && def.cpu.mode !== 'custom')) throw unsupported('cpu@mode', "only 'custom' or absent");
  const t = def.cpu?.topology;
  const vcpus = def.vcpu?.count ?? 1;
  if (t && ((t.threads ?? 1) !== 1 || (t.dies ?? 1) !== 1 || (t.clusters ?? 1) !== 1)) throw unsupported('cpu/topology', 'ESX has one thread per core, one die and cluster per socket');
  if (t && t.sockets * t.cores !== vcpus) throw unsupported('cpu/topology', `sockets x cores (${t.sockets * t.cores}) must equal vcpu (${vcpus})`);
  if (def.vcpu?.current !== undefined && def.vcpu.current !== vcpus) throw unsupported('vcpu@current', 'must equal the vcpu count on ESX');
  if (def.currentMemory !== undefined && def.currentMemory > def.memory) throw new ApiError('invalid-arg', 'currentMemory must not exceed memory', { element: 'currentMemory' });
  const d = def.devices ?? {};
  if (d.filesystems?.length) throw unsupported('devices/filesystem', 'shared folders exist only on VMware Workstation/Fusion');
  if (d.tpms?.length) throw unsupported('devices/tpm', 'a vTPM needs a key provider; not supported by this driver');
  if (d.memballoon && d.memballoon.model !== 'none') throw unsupported('devices/memballoon', "only model 'none' (VMware Tools balloons memory)");
  for (const g of d.graphics ?? []) if (g.type !== 'vnc') throw unsupported('devices/graphics', `type '${g.type}'; only 'vnc'`);
  if ((d.graphics?.length ?? 0) > 1) throw unsupported('devices/graphics', 'at most one');
  for (const v of d.videos ?? []) if (v.model.type !== 'vmvga') throw unsupported('devices/video', `model '${v.model.type}'; only 'vmvga'`);
  if ((d.videos?.length ?? 0) > 1) throw unsupported('devices/video', 'at most one');
}

/** Memory, CPU, names, firmware and extraConfig of a spec (shared by define and edit). */
export function baseSpec(def: DomainDefinition): Vi {
  checkUnsupported(def);
  const name = nameToVi(def.name);
  if (name.length > 80) throw new ApiError('invalid-arg', `domain name is ${name.length} characters as vSphere stores it; at most 80`, { element: 'name' });
  const memoryMB = Math.ceil(def.memory / 1024 / 4) * 4;
  const vcpus = def.vcpu?.count ?? 1;
  const spec: Vi = { name, memoryMB, numCPUs: vcpus, annotation: def.description ?? '' };
  spec.numCoresPerSocket = def.cpu?.topology?.cores ?? 1;
  if (def.uuid) spec.uuid = def.uuid;
  spec.guestId = def.os?.arch === 'x86_64' ? 'otherGuest64' : 'otherGuest';
  spec.firmware = def.os?.firmware ?? 'bios';
  if (def.os?.machine) spec.version = def.os.machine;
  const current = def.currentMemory !== undefined && def.currentMemory < def.memory ? Math.ceil(def.currentMemory / 1024) : -1;
  spec.memoryAllocation = { reservation: Math.ceil((def.memtune?.minGuarantee ?? 0) / 1024), limit: current };
  spec.cpuAllocation = def.cputune?.shares !== undefined ? { shares: { level: 'custom', shares: def.cputune.shares } } : { shares: { level: 'normal', shares: 1000 * vcpus } };
  if (def.vcpu?.cpuset) spec.cpuAffinity = { affinitySet: cpusetOf(def.vcpu.cpuset) };
  const extra: Array<{ _type: 'OptionValue'; key: string; value: string }> = [];
  const opt = (key: string, value: string) => extra.push({ _type: 'OptionValue', key, value });
  if (def.os?.smbios?.mode === 'host') opt('smbios.reflecthost', 'TRUE');
  const g = def.devices?.graphics?.[0];
  if (g) {
    opt('RemoteDisplay.vnc.enabled', 'TRUE');
    if (g.port !== undefined && !g.autoport) opt('RemoteDisplay.vnc.port', String(g.port));
    const ip = g.listens?.find((l) => l.type === 'address')?.address;
    if (ip) opt('RemoteDisplay.vnc.ip', ip);
    if (g.keymap) opt('RemoteDisplay.vnc.keymap', g.keymap);
    if (g.passwd) opt('RemoteDisplay.vnc.password', g.passwd);
  }
  if (extra.length) spec.extraConfig = extra;
  return spec;
}

function cpusetOf(s: string): number[] {
  const on = new Set<number>();
  const off = new Set<number>();
  for (const part of s.split(',').map((p) => p.trim())) {
    const neg = part.startsWith('^');
    const [a, b] = part.replace('^', '').split('-').map(Number);
    for (let i = a!; i <= (b ?? a!); i++) (neg ? off : on).add(i);
  }
  return [...on].filter((i) => !off.has(i)).sort((x, y) => x - y);
}

export function busOf(d: DiskDef, i: number): DiskBusKind {
  const bus = d.target.bus ?? (d.target.dev.startsWith('hd') ? 'ide' : d.target.dev.startsWith('fd') ? 'fdc' : d.target.dev.startsWith('sd') ? 'scsi' : undefined);
  if (bus === 'scsi' || bus === 'sata' || bus === 'ide' || bus === 'fdc') return bus;
  throw unsupported(`devices/disk[${i + 1}]/target@bus`, `bus '${bus ?? d.target.dev}'; ESX has scsi, sata, ide and fdc`);
}

/** New devices for a definition: controllers first, with temporary negative keys. */
export function deviceSpecs(def: DomainDefinition, ctx: SpecContext, keyBase = -100): Vi[] {
  const d = def.devices ?? {};
  const out: Vi[] = [];
  let nextKey = keyBase;
  const add = (device: Vi, fileOperation?: string) => out.push({ operation: 'add', ...(fileOperation ? { fileOperation } : {}), device });
  const controllers = new Map<string, number>();
  const controllerKey = (bus: 'scsi' | 'sata', index: number, legacyModel?: string): number => {
    const id = `${bus}${index}`;
    const known = controllers.get(id);
    if (known !== undefined) return known;
    const key = nextKey--;
    controllers.set(id, key);
    if (bus === 'scsi') {
      const declared = d.controllers?.find((c) => c.type === 'scsi' && c.index === index)?.model;
      const model = declared && declared !== 'auto' ? declared : legacyModel && SCSI_TYPE_BY_MODEL[legacyModel] ? legacyModel : 'lsilogic';
      const type = SCSI_TYPE_BY_MODEL[model];
      if (!type) throw unsupported(`devices/controller[@type='scsi'][@index='${index}']@model`, `model '${model}'; ESX has ${Object.keys(SCSI_TYPE_BY_MODEL).join(', ')}`);
      add({ _type: type, key, busNumber: index, sharedBus: 'noSharing' });
    } else add({ _type: 'VirtualAHCIController', key, busNumber: index });
    return key;
  };
  for (const c of d.controllers ?? []) {
    if (c.type === 'scsi' || c.type === 'sata') {
      if (c.index > 3) throw unsupported(`devices/controller[@type='${c.type}']@index`, 'ESX has at most 4 (index 0-3)');
      controllerKey(c.type, c.index);
    } else if (c.type !== 'ide' && c.type !== 'fdc' && c.type !== 'pci' && c.type !== 'usb') {
      throw unsupported(`devices/controller[@type='${c.type}']`, 'ESX has scsi, sata, ide and fdc controllers');
    }
  }
  (d.disks ?? []).forEach((disk, i) => {
    const el = `devices/disk[${i + 1}]`;
    const bus = busOf(disk, i);
    const slot = disk.address ? { controller: bus === 'ide' ? (disk.address.bus ?? 0) : (disk.address.controller ?? 0), unit: disk.address.unit ?? 0 } : slotOf(bus, disk.target.dev);
    const ctrl =
      bus === 'scsi' || bus === 'sata' ? controllerKey(bus, slot.controller, disk.driver?.name) : bus === 'ide' ? IDE_KEYS[slot.controller] : SIO_KEY;
    if (ctrl === undefined) throw unsupported(`${el}/address`, 'IDE has buses 0 and 1');
    const base = { key: nextKey--, controllerKey: ctrl, unitNumber: slot.unit };
    const file = disk.source?.file;
    if (file) parseDatastoreFile(file, `${el}/source@file`);
    if (disk.device === 'disk') {
      if (disk.type !== 'file' || !file) throw unsupported(el, "a hard disk must be type 'file' with a '[datastore] path.vmdk' source (raw device mappings are not supported)");
      if (bus === 'fdc') throw unsupported(`${el}/target`, 'a hard disk cannot sit on the floppy controller');
      if (disk.driver?.cache && disk.driver.cache !== 'default' && disk.driver.cache !== 'writethrough') throw unsupported(`${el}/driver@cache`, "only 'writethrough'");
      add({
        _type: 'VirtualDisk',
        ...base,
        capacityInKB: 0,
        backing: {
          _type: 'VirtualDiskFlatVer2BackingInfo',
          fileName: file,
          diskMode: disk.transient ? 'independent_nonpersistent' : 'persistent',
          ...(disk.driver?.cache === 'writethrough' ? { writeThrough: true } : {}),
        },
      });
    } else if (disk.device === 'cdrom') {
      if (bus === 'fdc') throw unsupported(`${el}/target`, 'a CD-ROM cannot sit on the floppy controller');
      const backing =
        disk.type === 'file' && file
          ? { _type: 'VirtualCdromIsoBackingInfo', fileName: file }
          : disk.type === 'block' && disk.source?.dev
            ? { _type: 'VirtualCdromAtapiBackingInfo', deviceName: disk.source.dev }
            : disk.source?.startupPolicy === 'optional'
              ? { _type: 'VirtualCdromAtapiBackingInfo', deviceName: '', useAutoDetect: true }
              : { _type: 'VirtualCdromRemotePassthroughBackingInfo', deviceName: '', exclusive: false };
      add({ _type: 'VirtualCdrom', ...base, backing, connectable: { startConnected: !!(file || disk.source?.dev), allowGuestControl: true, connected: false } });
    } else if (disk.device === 'floppy') {
      if (bus !== 'fdc') throw unsupported(`${el}/target`, "a floppy sits on the 'fdc' bus (fdX)");
      const backing = disk.type === 'file' ? { _type: 'VirtualFloppyImageBackingInfo', fileName: file ?? '' } : { _type: 'VirtualFloppyDeviceBackingInfo', deviceName: disk.source?.dev ?? '' };
      add({ _type: 'VirtualFloppy', ...base, backing, connectable: { startConnected: !!(file || disk.source?.dev), allowGuestControl: true, connected: false } });
    } else throw unsupported(`${el}@device`, `'${disk.device}'; ESX takes disk, cdrom and floppy`);
  });
  (d.interfaces ?? []).forEach((nic, i) => add(nicDevice(nic, i, ctx, nextKey--)));
  const serials = d.serials?.length ? d.serials : (d.consoles ?? []);
  if (serials.length > 4) throw unsupported('devices/serial', 'ESX has at most 4 serial ports');
  serials.forEach((c, i) => add({ _type: 'VirtualSerialPort', key: nextKey--, yieldOnPoll: true, backing: chrBacking(c, `devices/serial[${i + 1}]`, 'VirtualSerialPort'), connectable: { startConnected: true, allowGuestControl: true, connected: false } }));
  if ((d.parallels?.length ?? 0) > 3) throw unsupported('devices/parallel', 'ESX has at most 3 parallel ports');
  (d.parallels ?? []).forEach((c, i) => {
    if (c.type !== 'file' && c.type !== 'dev') throw unsupported(`devices/parallel[${i + 1}]@type`, `'${c.type}'; parallel ports take file or dev`);
    add({ _type: 'VirtualParallelPort', key: nextKey--, backing: chrBacking(c, `devices/parallel[${i + 1}]`, 'VirtualParallelPort'), connectable: { startConnected: true, allowGuestControl: true, connected: false } });
  });
  return out;
}

function parseDatastoreFile(file: string, element: string) {
  try {
    return parseDatastorePath(file);
  } catch (e) {
    throw new ApiError('invalid-arg', `${element}: ${(e as Error).message}`, { element });
  }
}

export function nicDevice(nic: InterfaceDef, i: number, ctx: SpecContext, key: number): Vi {
  const el = `devices/interface[${i + 1}]`;
  const model = nic.model?.type ?? 'e1000';
  const type = NIC_TYPE_BY_MODEL[model];
  if (!type) throw unsupported(`${el}/model@type`, `'${model}'; ESX has ${Object.keys(NIC_TYPE_BY_MODEL).join(', ')}`);
  let backing: Vi;
  if (nic.type === 'bridge' || nic.type === 'network') {
    const name = nic.source?.bridge ?? nic.source?.network;
    if (!name) throw new ApiError('invalid-arg', `${el}/source: a port group name is required`, { element: `${el}/source` });
    const pg = ctx.networks.get(name);
    if (!pg) throw new ApiError('no-network', `${el}/source: no port group '${name}'`, { element: `${el}/source` });
    backing = pg.dvs
      ? { _type: 'VirtualEthernetCardDistributedVirtualPortBackingInfo', port: { switchUuid: pg.dvs.switchUuid, portgroupKey: pg.dvs.portgroupKey } }
      : { _type: 'VirtualEthernetCardNetworkBackingInfo', deviceName: name, network: pg.ref };
  } else if (nic.type === 'vds') {
    if (!nic.source?.switchId || !nic.source.portgroupId) throw new ApiError('invalid-arg', `${el}/source: switchid and portgroupid are required for type 'vds'`, { element: `${el}/source` });
    backing = { _type: 'VirtualEthernetCardDistributedVirtualPortBackingInfo', port: { switchUuid: nic.source.switchId, portgroupKey: nic.source.portgroupId } };
  } else throw unsupported(`${el}@type`, `'${nic.type}'; ESX takes bridge (a port group), network or vds`);
  const dev: Vi = { _type: type, key, backing, connectable: { startConnected: true, allowGuestControl: true, connected: false }, addressType: 'generated' };
  if (nic.mac && nic.mac.type !== 'generated') {
    dev.addressType = 'manual';
    dev.macAddress = nic.mac.address.toLowerCase();
  }
  return dev;
}

function chrBacking(c: ChrDef, el: string, prefix: 'VirtualSerialPort' | 'VirtualParallelPort'): Vi {
  const path = c.source?.path;
  switch (c.type) {
    case 'file':
      if (!path) break;
      parseDatastoreFile(path, `${el}/source@path`);
      return { _type: `${prefix}FileBackingInfo`, fileName: path };
    case 'dev':
      if (!path) break;
      return { _type: `${prefix}DeviceBackingInfo`, deviceName: path };
    case 'pipe':
      if (!path) break;
      return { _type: 'VirtualSerialPortPipeBackingInfo', pipeName: path, endpoint: 'server' };
    case 'tcp': {
      const { host, service, mode } = c.source ?? {};
      if (!host || !service) throw new ApiError('invalid-arg', `${el}/source: host and service are required for tcp`, { element: `${el}/source` });
      const scheme = { raw: 'tcp', telnet: 'telnet', telnets: 'telnets', tls: 'ssl' }[c.protocol?.type ?? 'raw'];
      return { _type: 'VirtualSerialPortURIBackingInfo', serviceURI: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${service}`, direction: mode === 'bind' ? 'server' : 'client' };
    }
    default:
      throw unsupported(`${el}@type`, `'${c.type}'; ESX serial ports take file, dev, pipe and tcp`);
  }
  throw new ApiError('invalid-arg', `${el}/source@path is required for type '${c.type}'`, { element: `${el}/source` });
}

/** The datastore the VM's files go to: the first disk's, else the default. */
export function datastoreOf(def: DomainDefinition, ctx: SpecContext): string {
  const file = def.devices?.disks?.find((d) => d.device === 'disk' && d.source?.file)?.source?.file;
  return file ? parseDatastoreFile(file, 'devices/disk/source@file').datastore : ctx.defaultDatastore;
}

/** The whole CreateVM_Task config spec. */
export function createSpec(def: DomainDefinition, ctx: SpecContext): Vi {
  const spec = baseSpec(def);
  spec.files = { vmPathName: `[${datastoreOf(def, ctx)}]` };
  const devices = deviceSpecs(def, ctx);
  if (devices.length) spec.deviceChange = devices;
  return spec;
}

// <devices> children in libvirt's order and attribute order (virDomainDefFormatInternal).
import type {
  ChrDef,
  ConsoleDef,
  ControllerDef,
  DevicesDef,
  DiskDef,
  FilesystemDef,
  GraphicsDef,
  InterfaceDef,
  TpmDef,
  VideoDef,
} from '../domain/model.js';
import { el, flagEl, type XmlNode } from './xml-writer.js';

const yesNo = (v: boolean | undefined) => (v === undefined ? undefined : v ? 'yes' : 'no');

function formatDisk(disk: DiskDef): XmlNode {
  const { driver, source, address } = disk;
  const hasSource = source && (source.file !== undefined || source.dev !== undefined || source.startupPolicy !== undefined);
  return el('disk', { type: disk.type, device: disk.device }, [
    driver && (driver.name ?? driver.type ?? driver.cache) !== undefined && el('driver', { name: driver.name, type: driver.type, cache: driver.cache }),
    hasSource && el('source', { file: source.file, dev: source.dev, startupPolicy: source.startupPolicy }),
    el('target', { dev: disk.target.dev, bus: disk.target.bus }),
    flagEl('readonly', disk.readonly),
    flagEl('shareable', disk.shareable),
    flagEl('transient', disk.transient),
    address && el('address', { type: address.type, controller: address.controller, bus: address.bus, target: address.target, unit: address.unit }),
  ]);
}

const formatController = (c: ControllerDef) => el('controller', { type: c.type, index: c.index, model: c.model });

const formatFilesystem = (fs: FilesystemDef) =>
  el('filesystem', { type: fs.type, accessmode: fs.accessmode }, [
    el('source', { dir: fs.source.dir }),
    el('target', { dir: fs.target.dir }),
    flagEl('readonly', fs.readonly),
  ]);

function formatInterface(net: InterfaceDef): XmlNode {
  const { mac, source } = net;
  let sourceEl: XmlNode | undefined;
  if (source) {
    const attrs =
      net.type === 'vds'
        ? { switchid: source.switchId, portid: source.portId, portgroupid: source.portgroupId, connectionid: source.connectionId }
        : { bridge: source.bridge, network: source.network };
    if (Object.values(attrs).some((v) => v !== undefined)) sourceEl = el('source', attrs);
  }
  return el('interface', { type: net.type }, [
    mac && el('mac', { address: mac.address, type: mac.type, check: yesNo(mac.check) }),
    sourceEl,
    net.target && el('target', { dev: net.target.dev }),
    net.model && el('model', { type: net.model.type }),
  ]);
}

function formatChr(name: string, chr: ChrDef | ConsoleDef): XmlNode {
  const { source, protocol, target } = chr;
  const hasSource = source && Object.values(source).some((v) => v !== undefined);
  return el(name, { type: chr.type }, [
    hasSource && el('source', { mode: source.mode, host: source.host, service: source.service, path: source.path }),
    protocol && el('protocol', { type: protocol.type }),
    target && el('target', { type: target.type, port: target.port }),
  ]);
}

const formatTpm = (tpm: TpmDef) =>
  el('tpm', { model: tpm.model }, [el('backend', { type: tpm.backend.type, version: tpm.backend.version })]);

function formatGraphics(g: GraphicsDef): XmlNode {
  const first = g.listens?.[0];
  return el(
    'graphics',
    {
      type: g.type,
      // An automatically chosen port is shown as -1, as libvirt does for inactive definitions.
      port: g.port ?? (g.autoport ? -1 : undefined),
      autoport: g.type === 'vnc' ? yesNo(g.autoport ?? false) : yesNo(g.autoport),
      listen: first?.type === 'address' ? first.address : undefined,
      keymap: g.keymap,
      passwd: g.passwd,
    },
    (g.listens ?? []).map((l) => el('listen', { type: l.type, address: l.address })),
  );
}

const formatVideo = (v: VideoDef) =>
  el('video', {}, [el('model', { type: v.model.type, vram: v.model.vram, heads: v.model.heads, primary: v.model.primary ? 'yes' : undefined })]);

export function formatDevices(devices: DevicesDef): XmlNode {
  return el('devices', {}, [
    ...(devices.disks ?? []).map(formatDisk),
    ...(devices.controllers ?? []).map(formatController),
    ...(devices.filesystems ?? []).map(formatFilesystem),
    ...(devices.interfaces ?? []).map(formatInterface),
    ...(devices.serials ?? []).map((c) => formatChr('serial', c)),
    ...(devices.parallels ?? []).map((c) => formatChr('parallel', c)),
    ...(devices.consoles ?? []).map((c) => formatChr('console', c)),
    ...(devices.tpms ?? []).map(formatTpm),
    ...(devices.graphics ?? []).map(formatGraphics),
    ...(devices.videos ?? []).map(formatVideo),
    devices.memballoon && el('memballoon', { model: devices.memballoon.model }),
  ]);
}

// <devices> -> model, with the defaults libvirt's parser fills in (disk type and bus, controller
// index, serial port numbers, graphics autoport).
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
import { canonicalUuid, parseMac } from '../domain/values.js';
import { busFromDiskName } from '../domain/disk-names.js';
import type { ElementReader } from './element-reader.js';

const DISK_BUSES = ['ide', 'fdc', 'scsi', 'virtio', 'xen', 'usb', 'uml', 'sata', 'sd'] as const;

function parseDisk(r: ElementReader): DiskDef {
  const type = r.enumAttr('type', ['file', 'block'] as const) ?? 'file';
  const device = r.enumAttr('device', ['disk', 'cdrom', 'floppy', 'lun'] as const) ?? 'disk';
  const disk: Partial<DiskDef> & Pick<DiskDef, 'type' | 'device'> = { type, device };
  const driver = r.child('driver');
  if (driver) {
    const d: NonNullable<DiskDef['driver']> = {};
    const name = driver.attr('name');
    const dtype = driver.attr('type');
    const cache = driver.enumAttr('cache', ['default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe'] as const);
    if (name !== undefined) d.name = name;
    if (dtype !== undefined) d.type = dtype;
    if (cache !== undefined) d.cache = cache;
    driver.done();
    disk.driver = d;
  }
  const source = r.child('source');
  if (source) {
    const s: NonNullable<DiskDef['source']> = {};
    // libvirt reads the attribute that matches the disk type; the other one is not part of it.
    const path = type === 'file' ? source.attr('file') : source.attr('dev');
    if (path !== undefined && path !== '') s[type === 'file' ? 'file' : 'dev'] = path;
    const policy = source.enumAttr('startupPolicy', ['mandatory', 'requisite', 'optional'] as const);
    if (policy !== undefined) s.startupPolicy = policy;
    source.done();
    if (Object.keys(s).length > 0) disk.source = s;
  }
  const target = r.child('target');
  if (!target) throw r.invalid('Missing <target> in <disk>');
  const dev = target.requiredAttr('dev');
  if (!/^[a-z]+$/.test(dev)) throw target.invalid(`Invalid disk target name '${dev}'`, 'dev');
  const bus = target.enumAttr('bus', DISK_BUSES) ?? busFromDiskName(dev);
  target.done();
  disk.target = bus === undefined ? { dev } : { dev, bus };
  if (r.flag('readonly')) disk.readonly = true;
  if (r.flag('shareable')) disk.shareable = true;
  if (r.flag('transient')) disk.transient = true;
  const address = r.child('address');
  if (address) {
    if (address.enumAttr('type', ['drive'] as const) === undefined) throw address.invalid("Missing attribute 'type'", 'type');
    const a: NonNullable<DiskDef['address']> = { type: 'drive' };
    for (const key of ['controller', 'bus', 'target', 'unit'] as const) {
      const v = address.intAttr(key);
      if (v !== undefined) a[key] = v;
    }
    address.done();
    disk.address = a;
  }
  r.done();
  return disk as DiskDef;
}

const CONTROLLER_TYPES = ['ide', 'fdc', 'scsi', 'sata', 'usb', 'pci', 'virtio-serial', 'ccid', 'xenbus', 'isa'] as const;

function parseController(r: ElementReader, taken: ControllerDef[]): ControllerDef {
  const type = r.enumAttr('type', CONTROLLER_TYPES) ?? r.requiredAttr('type');
  let index = r.intAttr('index');
  // libvirt gives a controller without index the first free index of its type.
  if (index === undefined) {
    index = 0;
    while (taken.some((c) => c.type === type && c.index === index)) index++;
  }
  const model = r.attr('model');
  r.done();
  return model === undefined ? { type: type as ControllerDef['type'], index } : { type: type as ControllerDef['type'], index, model };
}

function parseFilesystem(r: ElementReader): FilesystemDef {
  r.enumAttr('type', ['mount'] as const);
  const accessmode = r.enumAttr('accessmode', ['passthrough', 'mapped', 'squash'] as const);
  const source = r.child('source');
  const target = r.child('target');
  if (!source || !target) throw r.invalid('A <filesystem> needs <source dir> and <target dir>');
  const fs: FilesystemDef = {
    type: 'mount',
    ...(accessmode ? { accessmode } : {}),
    source: { dir: source.requiredAttr('dir') },
    target: { dir: target.requiredAttr('dir') },
  };
  source.done();
  target.done();
  if (r.flag('readonly')) fs.readonly = true;
  r.done();
  return fs;
}

function parseInterface(r: ElementReader): InterfaceDef {
  const type = r.enumAttr('type', ['bridge', 'user', 'null', 'vds', 'network', 'ethernet'] as const) ?? r.requiredAttr('type');
  const net: InterfaceDef = { type: type as InterfaceDef['type'] };
  const mac = r.child('mac');
  if (mac) {
    const raw = mac.requiredAttr('address');
    const address = parseMac(raw);
    if (address === undefined) throw mac.invalid(`Invalid MAC address '${raw}'`, 'address');
    const m: NonNullable<InterfaceDef['mac']> = { address };
    const macType = mac.enumAttr('type', ['generated', 'static'] as const);
    const check = mac.yesNoAttr('check');
    if (macType !== undefined) m.type = macType;
    if (check !== undefined) m.check = check;
    mac.done();
    net.mac = m;
  }
  const source = r.child('source');
  if (source) {
    const s: NonNullable<InterfaceDef['source']> = {};
    if (type === 'bridge') {
      const bridge = source.attr('bridge');
      if (bridge !== undefined) s.bridge = bridge;
    } else if (type === 'network') {
      const network = source.attr('network');
      if (network !== undefined) s.network = network;
    } else if (type === 'vds') {
      s.switchId = canonicalUuid(source.requiredAttr('switchid'), `${source.path}/@switchid`);
      const portId = source.intAttr('portid', Number.MIN_SAFE_INTEGER);
      const portgroupId = source.attr('portgroupid');
      const connectionId = source.intAttr('connectionid', Number.MIN_SAFE_INTEGER);
      if (portId !== undefined) s.portId = portId;
      if (portgroupId !== undefined) s.portgroupId = portgroupId;
      if (connectionId !== undefined) s.connectionId = connectionId;
    }
    source.done();
    if (Object.keys(s).length > 0) net.source = s;
  }
  const target = r.child('target');
  if (target) {
    net.target = { dev: target.requiredAttr('dev') };
    target.done();
  }
  const model = r.child('model');
  if (model) {
    net.model = { type: model.requiredAttr('type') };
    model.done();
  }
  r.done();
  return net;
}

const CHR_TYPES = ['dev', 'file', 'pipe', 'tcp', 'pty', 'null', 'unix', 'udp'] as const;

function parseChr(r: ElementReader): ChrDef | ConsoleDef {
  const type = r.enumAttr('type', CHR_TYPES) ?? 'pty';
  const chr: ChrDef = { type };
  const source = r.child('source');
  if (source) {
    const s: NonNullable<ChrDef['source']> = {};
    const path = source.attr('path');
    const mode = source.enumAttr('mode', ['bind', 'connect'] as const);
    const host = source.attr('host');
    const service = source.attr('service');
    if (path !== undefined) s.path = path;
    if (mode !== undefined) s.mode = mode;
    if (host !== undefined) s.host = host;
    if (service !== undefined) s.service = String(source.toInt(service, 0, "attribute 'service'", 'service'));
    source.done();
    chr.source = s;
  }
  const protocol = r.child('protocol');
  if (protocol) {
    const p = protocol.enumAttr('type', ['raw', 'telnet', 'telnets', 'tls'] as const);
    if (p !== undefined) chr.protocol = { type: p };
    protocol.done();
  }
  const target = r.child('target');
  if (target) {
    const t: NonNullable<ChrDef['target']> = {};
    const ttype = target.attr('type');
    const port = target.intAttr('port');
    if (ttype !== undefined) t.type = ttype;
    if (port !== undefined) t.port = port;
    target.done();
    chr.target = t;
  }
  r.done();
  return chr;
}

/** libvirt numbers serial and parallel ports without a port after the highest one given. */
function assignPorts(chrs: ChrDef[]): ChrDef[] {
  let next = 0;
  for (const chr of chrs) next = Math.max(next, (chr.target?.port ?? -1) + 1);
  return chrs.map((chr) => (chr.target?.port !== undefined ? chr : { ...chr, target: { ...chr.target, port: next++ } }));
}

function parseTpm(r: ElementReader): TpmDef {
  const model = r.enumAttr('model', ['tpm-tis', 'tpm-crb', 'tpm-spapr', 'spapr-tpm-proxy'] as const);
  const backend = r.child('backend');
  if (!backend) throw r.invalid('Missing <backend> in <tpm>');
  const b: TpmDef['backend'] = { type: backend.enumAttr('type', ['passthrough', 'emulator', 'external'] as const) ?? 'passthrough' };
  const version = backend.enumAttr('version', ['1.2', '2.0'] as const);
  if (version !== undefined) b.version = version;
  backend.done();
  r.done();
  return model === undefined ? { backend: b } : { model, backend: b };
}

function parseGraphics(r: ElementReader): GraphicsDef {
  const type = r.enumAttr('type', ['vnc', 'spice', 'sdl', 'rdp', 'desktop'] as const) ?? r.requiredAttr('type');
  const g: GraphicsDef = { type: type as GraphicsDef['type'] };
  const port = r.intAttr('port', -1);
  const autoport = r.yesNoAttr('autoport');
  // port='-1' is libvirt's way of showing an automatic port.
  if (port !== undefined && port >= 0) g.port = port;
  if (autoport !== undefined || port === -1) g.autoport = autoport ?? true;
  const listenAttr = r.attr('listen');
  const keymap = r.attr('keymap');
  const passwd = r.attr('passwd');
  if (keymap !== undefined) g.keymap = keymap;
  if (passwd !== undefined) g.passwd = passwd;
  const listens = r.children('listen').map((l) => {
    const listen: NonNullable<GraphicsDef['listens']>[number] = {
      type: l.enumAttr('type', ['address', 'network', 'socket', 'none'] as const) ?? 'address',
    };
    const address = l.attr('address');
    if (address !== undefined) listen.address = address;
    l.done();
    return listen;
  });
  if (listens.length === 0 && listenAttr !== undefined) listens.push({ type: 'address', address: listenAttr });
  if (listens.length > 0) g.listens = listens;
  r.done();
  return g;
}

function parseVideo(r: ElementReader): VideoDef {
  const model = r.child('model');
  if (!model) throw r.invalid('Missing <model> in <video>');
  const m: VideoDef['model'] = {
    type: model.enumAttr('type', ['vmvga', 'vga', 'cirrus', 'qxl', 'virtio', 'bochs', 'ramfb', 'none'] as const) ?? 'vmvga',
  };
  const vram = model.intAttr('vram');
  const heads = model.intAttr('heads', 1);
  const primary = model.yesNoAttr('primary');
  if (vram !== undefined) m.vram = vram;
  if (heads !== undefined) m.heads = heads;
  if (primary) m.primary = true;
  model.done();
  r.done();
  return { model: m };
}

export function parseDevices(r: ElementReader): DevicesDef {
  const devices: DevicesDef = {};
  const disks = r.children('disk').map(parseDisk);
  const controllers: ControllerDef[] = [];
  for (const c of r.children('controller')) controllers.push(parseController(c, controllers));
  const filesystems = r.children('filesystem').map(parseFilesystem);
  const interfaces = r.children('interface').map(parseInterface);
  const serials = assignPorts(r.children('serial').map(parseChr));
  const parallels = assignPorts(r.children('parallel').map(parseChr));
  const consoles = r.children('console').map(parseChr);
  const tpms = r.children('tpm').map(parseTpm);
  const graphics = r.children('graphics').map(parseGraphics);
  const videos = r.children('video').map(parseVideo);
  if (disks.length) devices.disks = disks;
  if (controllers.length) devices.controllers = controllers;
  if (filesystems.length) devices.filesystems = filesystems;
  if (interfaces.length) devices.interfaces = interfaces;
  if (serials.length) devices.serials = serials;
  if (parallels.length) devices.parallels = parallels;
  if (consoles.length) devices.consoles = consoles;
  if (tpms.length) devices.tpms = tpms;
  if (graphics.length) devices.graphics = graphics;
  if (videos.length) devices.videos = videos;
  const balloon = r.child('memballoon');
  if (balloon) {
    const model = balloon.enumAttr('model', ['virtio', 'xen', 'none', 'virtio-transitional', 'virtio-non-transitional'] as const);
    if (model === undefined) throw balloon.invalid("Missing attribute 'model'", 'model');
    devices.memballoon = { model };
    balloon.done();
  }
  r.done();
  return devices;
}

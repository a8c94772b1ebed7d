// VMX -> domain definition, with libvirt's semantics (virVMXParseConfig): the same defaults,
// the same entries read, the same errors. Devices live in to-domain-disks/-devices.
import { ConversionError } from '../domain/errors.js';
import type { ChrDef, ConsoleDef, DevicesDef, DomainDefinition, InterfaceDef } from '../domain/model.js';
import { ZERO_UUID, formatCpuset, formatUuid, parseUuid } from '../domain/values.js';
import { unescapeVmxAnnotation, unescapeVmxDisplayName } from '../esx/escape.js';
import { VmxConfig } from './config.js';
import { createFileNameMapper } from './file-names.js';
import type { VmxToDomainOptions } from './options.js';
import { parseVmx } from './text.js';
import { parseStorage } from './to-domain-disks.js';
import { parseChr, parseEthernet, parseSharedFolders, parseSvga, parseVnc } from './to-domain-devices.js';

const invalid = (key: string, message: string) => new ConversionError('vmx-invalid', message, { path: key });

/** vm.genid and vm.genidX are the two signed 64-bit halves of the generation id. */
function parseGenId(conf: VmxConfig): string | undefined {
  const half = (key: string) => {
    const value = conf.get(key);
    if (value === undefined) return 0n;
    if (!/^\s*-?\d+\s*$/.test(value)) throw invalid(key, `Config entry '${key}' must represent an integer value`);
    return BigInt.asUintN(64, BigInt(value.trim()));
  };
  const high = half('vm.genid');
  const low = half('vm.genidX');
  if (high === 0n && low === 0n) return undefined;
  const hex = high.toString(16).padStart(16, '0') + low.toString(16).padStart(16, '0');
  return formatUuid(parseUuid(hex)!);
}

function parseCpuAffinity(conf: VmxConfig, vcpus: number): string | undefined {
  const key = 'sched.cpu.affinity';
  const value = conf.get(key);
  if (value === undefined || value.toLowerCase() === 'all') return undefined;
  const items = value.split(',');
  if (items.length < vcpus) {
    throw invalid(
      key,
      `Expecting VMX entry '${key}' to contain at least as many values as 'numvcpus' (${vcpus}) but found only ${items.length} value(s)`,
    );
  }
  const cpus = items.map((item) => {
    if (!/^\s*\d+\s*$/.test(item)) {
      throw invalid(key, `Expecting VMX entry '${key}' to be a comma separated list of unsigned integers but found '${value}'`);
    }
    return Number(item.trim());
  });
  return formatCpuset(cpus);
}

function parseCpuShares(conf: VmxConfig, vcpus: number): number | undefined {
  const key = 'sched.cpu.shares';
  const value = conf.get(key);
  if (value === undefined) return undefined;
  // VMware's share levels are per vCPU (vim.SharesInfo.Level).
  const level = { low: 500, normal: 1000, high: 2000 }[value.toLowerCase()];
  if (level !== undefined) return level * vcpus;
  if (!/^\d+$/.test(value.trim())) {
    throw invalid(key, `Expecting VMX entry '${key}' to be an unsigned integer or 'low', 'normal' or 'high' but found '${value}'`);
  }
  return Number(value.trim());
}

/** The console libvirt adds as an alias of the first serial port. */
function consoleFor(serial: ChrDef): ConsoleDef {
  const { target, ...rest } = serial;
  return { ...rest, target: { type: 'serial', port: target?.port ?? 0 } };
}

/** Converts a VMX file (text, bytes honouring '.encoding', or a parsed VmxConfig) to a domain definition. */
export function vmxToDomain(input: string | Uint8Array | VmxConfig, options: VmxToDomainOptions = {}): DomainDefinition {
  const conf = input instanceof VmxConfig ? input : parseVmx(input);
  const fileNames = { vmxDir: options.vmxDir, datacenterPath: options.datacenterPath };
  const parseFileName = options.parseFileName ?? createFileNameMapper().parseFileName;

  const configVersion = conf.long('config.version', 0, true);
  if (configVersion !== 8) throw invalid('config.version', `Expecting VMX entry 'config.version' to be 8 but found ${configVersion}`);
  const virtualHW = conf.long('virtualHW.version', 0, true);
  if (virtualHW < 4) {
    throw invalid('virtualHW.version', `Expecting VMX entry 'virtualHW.version' to be 4 or higher but found ${virtualHW}`);
  }

  const uuidText = conf.get('uuid.bios');
  let uuid = ZERO_UUID;
  if (uuidText !== undefined) {
    const bytes = parseUuid(uuidText);
    if (!bytes) throw invalid('uuid.bios', `Could not parse UUID from string '${uuidText}'`);
    uuid = formatUuid(bytes);
  }
  const name = unescapeVmxDisplayName(conf.string('displayName', true));
  const genid = parseGenId(conf);
  const annotation = conf.get('annotation');

  const memsize = conf.long('memsize', 32);
  if (memsize <= 0 || memsize % 4 !== 0) {
    throw invalid('memsize', `Expecting VMX entry 'memsize' to be an unsigned integer (multiple of 4) but found ${memsize}`);
  }
  const memory = memsize * 1024;
  let schedMemMax = conf.long('sched.mem.max', memsize);
  if (schedMemMax < 0) schedMemMax = memsize;
  const currentMemory = Math.min(schedMemMax * 1024, memory);
  const minGuarantee = Math.min(Math.max(conf.long('sched.mem.minsize', 0), 0) * 1024, memory);

  const numvcpus = conf.long('numvcpus', 1);
  if (numvcpus <= 0) {
    throw invalid('numvcpus', `Expecting VMX entry 'numvcpus' to be an unsigned integer greater than 0 but found ${numvcpus}`);
  }
  const coresPerSocket = conf.long('cpuid.coresPerSocket', 1);
  const cpuset = parseCpuAffinity(conf, numvcpus);
  const shares = parseCpuShares(conf, numvcpus);

  // Key order follows the XML element order, so JSON and XML read alike.
  const def: DomainDefinition = {
    type: 'vmware',
    name,
    uuid,
    ...(genid === undefined ? {} : { genid }),
    ...(annotation === undefined ? {} : { description: unescapeVmxAnnotation(annotation) }),
    memory,
    currentMemory,
    ...(minGuarantee > 0 ? { memtune: { minGuarantee } } : {}),
    vcpu: cpuset === undefined ? { count: numvcpus, placement: 'static' } : { count: numvcpus, placement: 'static', cpuset },
    ...(shares === undefined ? {} : { cputune: { shares } }),
  };

  const guestOS = conf.get('guestOS');
  def.os = { type: 'hvm', arch: guestOS?.endsWith('-64') ? 'x86_64' : 'i686' };
  const firmware = conf.get('firmware');
  if (firmware !== undefined) {
    // libvirt knows only "efi"; "bios" (written by some tools) is the default anyway.
    if (firmware.toLowerCase() === 'efi') def.os = { ...def.os, firmware: 'efi' };
    else if (firmware.toLowerCase() !== 'bios') throw invalid('firmware', `VMX entry 'firmware' has unknown value '${firmware}'`);
  }
  if (conf.boolean('smbios.reflecthost', false)) def.os.smbios = { mode: 'host' };

  if (coresPerSocket > 1) {
    const sockets = Math.floor(numvcpus / coresPerSocket);
    if (sockets <= 0) throw invalid('cpuid.coresPerSocket', "VMX entry 'cpuid.coresPerSocket' smaller than 'numvcpus'");
    if (numvcpus % coresPerSocket !== 0) {
      throw invalid('cpuid.coresPerSocket', `VMX entry 'numvcpus' (${numvcpus}) is not a multiple of 'cpuid.coresPerSocket' (${coresPerSocket})`);
    }
    def.cpu = { topology: { sockets, dies: 1, clusters: 1, cores: coresPerSocket, threads: 1 } };
  }
  def.clock = { offset: 'utc' };
  def.onPoweroff = 'destroy';
  def.onReboot = 'restart';
  def.onCrash = 'destroy';

  const devices: DevicesDef = {};
  const { disks, controllers } = parseStorage(conf, virtualHW, parseFileName, fileNames);
  if (disks.length > 0) devices.disks = disks;
  if (controllers.length > 0) devices.controllers = controllers;
  const filesystems = parseSharedFolders(conf);
  if (filesystems.length > 0) devices.filesystems = filesystems;
  const interfaces: InterfaceDef[] = [];
  for (const n of conf.indices('ethernet')) {
    const net = parseEthernet(conf, n);
    if (net) interfaces.push(net);
  }
  if (interfaces.length > 0) devices.interfaces = interfaces;
  const serials: ChrDef[] = [];
  for (let port = 0; port < 4; port++) {
    const chr = parseChr(conf, 'serial', port, parseFileName, fileNames);
    if (chr) serials.push(chr);
  }
  const parallels: ChrDef[] = [];
  for (let port = 0; port < 3; port++) {
    const chr = parseChr(conf, 'parallel', port, parseFileName, fileNames);
    if (chr) parallels.push(chr);
  }
  if (serials.length > 0) devices.serials = serials;
  if (parallels.length > 0) devices.parallels = parallels;
  if (serials.length > 0) devices.consoles = [consoleFor(serials[0]!)];
  if (conf.boolean('vtpm.present', false)) {
    devices.tpms = [{ model: 'tpm-crb', backend: { type: 'emulator', version: '2.0' } }];
  }
  const vnc = parseVnc(conf);
  if (vnc) devices.graphics = [vnc];
  devices.videos = [parseSvga(conf)];
  def.devices = devices;

  if (options.datacenterPath !== undefined || options.moref !== undefined) {
    def.vmware = {};
    if (options.datacenterPath !== undefined) def.vmware.datacenterPath = options.datacenterPath;
    if (options.moref !== undefined) def.vmware.moref = options.moref;
  }
  return def;
}

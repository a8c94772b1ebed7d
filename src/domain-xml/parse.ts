// libvirt domain XML -> domain definition. Memory sizes are scaled to KiB, UUIDs and MACs
// normalised, and every element or attribute outside the model is reported by path:
// parseDomainXml refuses them (the API answers 400 naming the element), parseDomainXmlReport
// returns them for callers that prefer to decide.
import { ConversionError } from '../domain/errors.js';
import type { CpuDef, DomainDefinition, OsDef } from '../domain/model.js';
import { canonicalUuid, formatCpuset, parseCpuset, scaleToKiB } from '../domain/values.js';
import { ElementReader } from './element-reader.js';
import { VMWARE_NAMESPACE } from './namespace.js';
import { parseDevices } from './parse-devices.js';
import { readXml } from './xml-reader.js';

const LIFECYCLE = ['destroy', 'restart', 'preserve', 'rename-restart', 'coredump-destroy', 'coredump-restart'] as const;

function memoryKiB(r: ElementReader | undefined): number | undefined {
  if (!r) return undefined;
  const value = r.toInt(r.text(), 0, `<${r.element.name}>`);
  const unit = r.attr('unit');
  r.done();
  const kib = scaleToKiB(value, unit);
  if (kib === undefined) throw r.invalid(`Unknown unit '${unit}'`, 'unit');
  return kib;
}

function parseOs(r: ElementReader): OsDef {
  const firmware = r.enumAttr('firmware', ['bios', 'efi'] as const);
  const type = r.child('type');
  if (!type) throw r.invalid('An os <type> must be specified');
  const typeText = type.text().trim();
  if (typeText !== 'hvm') throw type.invalid(`Unsupported OS type '${typeText}', expecting 'hvm'`);
  const os: OsDef = { type: 'hvm' };
  const arch = type.enumAttr('arch', ['i686', 'x86_64'] as const);
  const machine = type.attr('machine');
  type.done();
  if (arch !== undefined) os.arch = arch;
  if (machine !== undefined) os.machine = machine;
  if (firmware !== undefined) os.firmware = firmware;
  const boot = r.children('boot').map((b) => {
    const dev = b.enumAttr('dev', ['hd', 'cdrom', 'fd', 'network'] as const) ?? b.requiredAttr('dev');
    b.done();
    return { dev: dev as 'hd' };
  });
  if (boot.length > 0) os.boot = boot;
  const smbios = r.child('smbios');
  if (smbios) {
    const mode = smbios.enumAttr('mode', ['emulate', 'host', 'sysinfo'] as const) ?? smbios.requiredAttr('mode');
    smbios.done();
    os.smbios = { mode: mode as 'host' };
  }
  r.done();
  return os;
}

function parseCpu(r: ElementReader): CpuDef {
  const cpu: CpuDef = {};
  const mode = r.enumAttr('mode', ['custom', 'host-model', 'host-passthrough', 'maximum'] as const);
  const match = r.enumAttr('match', ['minimum', 'exact', 'strict'] as const);
  const check = r.enumAttr('check', ['none', 'partial', 'full'] as const);
  if (mode !== undefined) cpu.mode = mode;
  if (match !== undefined) cpu.match = match;
  if (check !== undefined) cpu.check = check;
  const t = r.child('topology');
  if (t) {
    const required = (name: string) => {
      const value = t.intAttr(name, 1);
      if (value === undefined) throw t.invalid(`Missing attribute '${name}'`, name);
      return value;
    };
    const sockets = required('sockets');
    const dies = t.intAttr('dies', 1);
    const clusters = t.intAttr('clusters', 1);
    const cores = required('cores');
    const threads = required('threads');
    t.done();
    cpu.topology = { sockets, ...(dies === undefined ? {} : { dies }), ...(clusters === undefined ? {} : { clusters }), cores, threads };
  }
  r.done();
  return cpu;
}

export interface DomainXmlReport {
  definition: DomainDefinition;
  /** Paths of elements, attributes or text the model does not cover (ignored in `definition`). */
  unsupported: string[];
}

/** Parses domain XML, returning the definition and what it had to leave out. */
export function parseDomainXmlReport(xml: string): DomainXmlReport {
  const unsupported: string[] = [];
  const root = readXml(xml);
  if (root.name !== 'domain') {
    throw new ConversionError('xml-invalid', `Expecting root element 'domain' but found '${root.name}'`, { path: root.path });
  }
  const r = new ElementReader(root, unsupported);
  const type = r.requiredAttr('type');
  if (type !== 'vmware') throw r.invalid(`Expecting virt type to be 'vmware' but found '${type}'`, 'type');
  const vmwarePrefixes = new Set<string>();
  for (const [name, value] of Object.entries(root.attrs)) {
    if (name.startsWith('xmlns:')) {
      r.attr(name);
      if (value === VMWARE_NAMESPACE) vmwarePrefixes.add(name.slice(6));
    }
  }
  const id = r.intAttr('id', -1);

  const name = r.childText('name');
  if (name === undefined || name === '') throw r.invalid('A domain <name> must be specified');
  const def: DomainDefinition = { type: 'vmware', ...(id === undefined ? {} : { id }), name, memory: 0 };
  const uuid = r.childText('uuid');
  if (uuid !== undefined) def.uuid = canonicalUuid(uuid.trim(), `${root.path}/uuid`);
  const genid = r.childText('genid');
  if (genid !== undefined) def.genid = canonicalUuid(genid.trim(), `${root.path}/genid`);
  const title = r.childText('title');
  if (title !== undefined) def.title = title;
  const description = r.childText('description');
  if (description !== undefined) def.description = description;

  const memory = memoryKiB(r.child('memory'));
  if (memory === undefined || memory === 0) throw r.invalid('Memory size must be specified via <memory>');
  def.memory = memory;
  const current = memoryKiB(r.child('currentMemory'));
  if (current !== undefined) def.currentMemory = current;
  const memtune = r.child('memtune');
  if (memtune) {
    const limits = {
      hardLimit: memoryKiB(memtune.child('hard_limit')),
      softLimit: memoryKiB(memtune.child('soft_limit')),
      minGuarantee: memoryKiB(memtune.child('min_guarantee')),
      swapHardLimit: memoryKiB(memtune.child('swap_hard_limit')),
    };
    memtune.done();
    def.memtune = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
  }

  const vcpu = r.child('vcpu');
  if (vcpu) {
    const count = vcpu.toInt(vcpu.text(), 1, '<vcpu>');
    const placement = vcpu.enumAttr('placement', ['static', 'auto'] as const);
    const cpuset = vcpu.attr('cpuset');
    const current = vcpu.intAttr('current', 1);
    vcpu.done();
    def.vcpu = { count };
    if (placement !== undefined) def.vcpu.placement = placement;
    if (cpuset !== undefined) {
      try {
        def.vcpu.cpuset = formatCpuset(parseCpuset(cpuset));
      } catch {
        throw vcpu.invalid(`Invalid CPU set '${cpuset}'`, 'cpuset');
      }
    }
    if (current !== undefined) def.vcpu.current = current;
  }
  const cputune = r.child('cputune');
  if (cputune) {
    const shares = cputune.child('shares');
    def.cputune = {};
    if (shares) {
      def.cputune.shares = shares.toInt(shares.text(), 0, '<shares>');
      shares.done();
    }
    cputune.done();
  }
  const os = r.child('os');
  if (!os) throw r.invalid('An os <type> must be specified');
  def.os = parseOs(os);
  const cpu = r.child('cpu');
  if (cpu) def.cpu = parseCpu(cpu);
  const clock = r.child('clock');
  if (clock) {
    def.clock = { offset: clock.enumAttr('offset', ['utc', 'localtime', 'timezone', 'variable', 'absolute'] as const) ?? 'utc' };
    clock.done();
  }
  for (const [element, key] of [
    ['on_poweroff', 'onPoweroff'],
    ['on_reboot', 'onReboot'],
    ['on_crash', 'onCrash'],
  ] as const) {
    const action = r.child(element);
    if (!action) continue;
    const value = action.text().trim();
    if (!(LIFECYCLE as readonly string[]).includes(value)) throw action.invalid(`Unsupported action '${value}'`);
    action.done();
    def[key] = value as (typeof LIFECYCLE)[number];
  }
  const devices = r.child('devices');
  if (devices) def.devices = parseDevices(devices);

  for (const prefix of vmwarePrefixes) {
    const datacenterPath = r.childText(`${prefix}:datacenterpath`);
    const moref = r.childText(`${prefix}:moref`);
    if (datacenterPath !== undefined || moref !== undefined) {
      def.vmware = {
        ...(datacenterPath !== undefined ? { datacenterPath } : {}),
        ...(moref !== undefined ? { moref } : {}),
      };
    }
  }
  r.done();
  return { definition: def, unsupported };
}

/** Parses domain XML; anything outside the model is a ConversionError('xml-unsupported') naming it. */
export function parseDomainXml(xml: string): DomainDefinition {
  const { definition, unsupported } = parseDomainXmlReport(xml);
  if (unsupported.length > 0) {
    const list = unsupported.slice(0, 5).join(', ') + (unsupported.length > 5 ? `, and ${unsupported.length - 5} more` : '');
    throw new ConversionError('xml-unsupported', `Unsupported domain XML: ${list}`, { path: unsupported[0]! });
  }
  return definition;
}

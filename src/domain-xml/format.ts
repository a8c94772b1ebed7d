// Domain definition -> libvirt domain XML, element for element in libvirt's order, so the text
// matches what libvirt itself prints for the same definition.
import type { DomainDefinition } from '../domain/model.js';
import { formatDevices } from './format-devices.js';
import { VMWARE_NAMESPACE } from './namespace.js';
import { el, serializeXml, textEl, type XmlNode } from './xml-writer.js';

const kib = (name: string, value: number | undefined) => (value === undefined ? undefined : textEl(name, String(value), { unit: 'KiB' }));

function formatOs(os: NonNullable<DomainDefinition['os']>): XmlNode {
  return el('os', { firmware: os.firmware }, [
    textEl('type', os.type, { arch: os.arch, machine: os.machine }),
    ...(os.boot ?? []).map((b) => el('boot', { dev: b.dev })),
    os.smbios && el('smbios', { mode: os.smbios.mode }),
  ]);
}

function formatCpu(cpu: NonNullable<DomainDefinition['cpu']>): XmlNode {
  const t = cpu.topology;
  return el('cpu', { mode: cpu.mode, match: cpu.match, check: cpu.check }, [
    t && el('topology', { sockets: t.sockets, dies: t.dies, clusters: t.clusters, cores: t.cores, threads: t.threads }),
  ]);
}

export function domainToXmlTree(def: DomainDefinition): XmlNode {
  const { memtune, vcpu, vmware } = def;
  const hasVmware = vmware !== undefined && (vmware.datacenterPath !== undefined || vmware.moref !== undefined);
  const memtuneChildren = memtune && [
    kib('hard_limit', memtune.hardLimit),
    kib('soft_limit', memtune.softLimit),
    kib('min_guarantee', memtune.minGuarantee),
    kib('swap_hard_limit', memtune.swapHardLimit),
  ];
  return el('domain', { type: def.type ?? 'vmware', id: def.id, 'xmlns:vmware': hasVmware ? VMWARE_NAMESPACE : undefined }, [
    textEl('name', def.name),
    def.uuid !== undefined && textEl('uuid', def.uuid),
    def.genid !== undefined && textEl('genid', def.genid),
    def.title !== undefined && textEl('title', def.title),
    def.description !== undefined && textEl('description', def.description),
    kib('memory', def.memory),
    kib('currentMemory', def.currentMemory),
    memtuneChildren && memtuneChildren.some(Boolean) && el('memtune', {}, memtuneChildren),
    vcpu && textEl('vcpu', String(vcpu.count), { placement: vcpu.placement, cpuset: vcpu.cpuset, current: vcpu.current }),
    def.cputune?.shares !== undefined && el('cputune', {}, [textEl('shares', String(def.cputune.shares))]),
    def.os && formatOs(def.os),
    def.cpu && formatCpu(def.cpu),
    def.clock && el('clock', { offset: def.clock.offset }),
    def.onPoweroff !== undefined && textEl('on_poweroff', def.onPoweroff),
    def.onReboot !== undefined && textEl('on_reboot', def.onReboot),
    def.onCrash !== undefined && textEl('on_crash', def.onCrash),
    def.devices && formatDevices(def.devices),
    vmware?.datacenterPath !== undefined && textEl('vmware:datacenterpath', vmware.datacenterPath),
    vmware?.moref !== undefined && textEl('vmware:moref', vmware.moref),
  ]);
}

/** libvirt domain XML text for a definition (no XML declaration, trailing newline). */
export const formatDomainXml = (def: DomainDefinition): string => serializeXml(domainToXmlTree(def));

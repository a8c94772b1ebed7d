// Domain definition -> VMX for a given virtual hardware version, with libvirt's semantics
// (virVMXFormatConfig): same entries, same order, same refusals. Elements VMX cannot hold and
// libvirt ignores (clock, lifecycle actions, boot order, consoles, balloon, title) are ignored.
import { ConversionError } from '../domain/errors.js';
import type { DomainDefinition } from '../domain/model.js';
import { ZERO_UUID, canonicalUuid, formatVmxUuid, parseCpuset, parseUuid } from '../domain/values.js';
import { escapeVmxAnnotation, escapeVmxDisplayName } from '../esx/escape.js';
import { createFileNameMapper } from './file-names.js';
import { formatDisk, formatFloppy, gatherScsiControllers, placeDisk } from './from-domain-disks.js';
import { formatChr, formatEthernet, formatSharedFolder, formatSvga, formatTpm, formatVnc } from './from-domain-devices.js';
import type { DomainToVmxOptions } from './options.js';
import { VmxWriter } from './writer.js';

const unsupported = (message: string) => new ConversionError('config-unsupported', message);
const invalid = (message: string) => new ConversionError('config-invalid', message);

/** vm.genid / vm.genidX: the generation id's two halves as signed 64-bit decimals. */
function genIdHalves(genid: string): [string, string] {
  const hex = canonicalUuid(genid, 'genid').replace(/-/g, '');
  const half = (h: string) => BigInt.asIntN(64, BigInt(`0x${h}`)).toString();
  return [half(hex.slice(0, 16)), half(hex.slice(16))];
}

function formatCpu(out: VmxWriter, def: DomainDefinition, vcpus: number): void {
  const topology = def.cpu?.topology;
  if (def.cpu?.mode !== undefined && def.cpu.mode !== 'custom') {
    throw invalid(`Expecting domain XML CPU mode 'custom' but found '${def.cpu.mode}'`);
  }
  if (topology) {
    if (topology.threads !== 1) throw unsupported('Only 1 thread per core is supported');
    if ((topology.dies ?? 1) !== 1) throw unsupported('Only 1 die per socket is supported');
    if ((topology.clusters ?? 1) !== 1) throw unsupported('Only 1 cluster per die is supported');
    const calculated = topology.sockets * topology.cores;
    if (calculated !== vcpus) throw invalid(`Expecting domain XML CPU sockets per core as ${vcpus} but found ${calculated}`);
    out.set('cpuid.coresPerSocket', topology.cores);
  }
  if (def.vcpu?.cpuset !== undefined) {
    const cpus = parseCpuset(def.vcpu.cpuset);
    if (cpus.length < vcpus) throw invalid(`Expecting domain XML attribute 'cpuset' of entry 'vcpu' to contain at least ${vcpus} CPU(s)`);
    out.set('sched.cpu.affinity', cpus.join(','));
  }
  const shares = def.cputune?.shares;
  if (shares !== undefined) {
    // VMware's share levels are per vCPU (vim.SharesInfo.Level).
    const level = shares === vcpus * 500 ? 'low' : shares === vcpus * 1000 ? 'normal' : shares === vcpus * 2000 ? 'high' : undefined;
    out.set('sched.cpu.shares', level ?? shares);
  }
}

function formatMemory(out: VmxWriter, def: DomainDefinition): void {
  const memtune = def.memtune ?? {};
  for (const key of ['hardLimit', 'softLimit', 'swapHardLimit'] as const) {
    if (memtune[key] !== undefined) throw unsupported(`No support for memtune '${key}' in VMX (sched.mem.max holds currentMemory)`);
  }
  // memsize must be a multiple of 4 MiB.
  const maxBalloon = Math.ceil(def.memory / 4096) * 4096;
  out.set('memsize', maxBalloon / 1024);
  const current = Math.min(def.currentMemory ?? def.memory, def.memory);
  if (current < maxBalloon) out.set('sched.mem.max', Math.ceil(current / 1024));
  if (memtune.minGuarantee !== undefined && memtune.minGuarantee > 0) out.set('sched.mem.minsize', Math.ceil(memtune.minGuarantee / 1024));
}

/** Converts a domain definition to VMX text for `options.virtualHW`. */
export function domainToVmx(def: DomainDefinition, options: DomainToVmxOptions): string {
  const { virtualHW } = options;
  if (!Number.isInteger(virtualHW) || virtualHW < 4) {
    throw new ConversionError('invalid-arg', `Virtual hardware version must be an integer of 4 or higher but found ${virtualHW}`);
  }
  if (def.type !== undefined && def.type !== 'vmware') throw invalid(`Expecting virt type to be 'vmware' but found '${def.type}'`);
  const fileNames = { vmxDir: options.vmxDir, datacenterPath: options.datacenterPath };
  const mapper = options.formatFileName ?? createFileNameMapper().formatFileName;
  const formatFileName = (src: string) => mapper(src, fileNames);
  const devices = def.devices ?? {};
  const out = new VmxWriter();

  out.set('.encoding', 'UTF-8');
  out.set('config.version', '8');
  out.set('virtualHW.version', virtualHW);
  out.set('guestOS', def.os?.arch === 'x86_64' ? 'other-64' : 'other');
  const smbios = def.os?.smbios?.mode;
  if (smbios === 'host') out.set('smbios.reflecthost', 'true');
  else if (smbios === 'sysinfo') throw unsupported(`Unsupported SMBIOS mode '${smbios}'`);
  const uuid = def.uuid === undefined ? undefined : parseUuid(def.uuid);
  if (def.uuid !== undefined && !uuid) throw invalid(`Could not parse UUID from string '${def.uuid}'`);
  // No UUID: ESX creates one.
  if (!uuid || canonicalUuid(def.uuid!, 'uuid') === ZERO_UUID) out.set('uuid.action', 'create');
  else out.set('uuid.bios', formatVmxUuid(uuid));
  out.set('displayName', escapeVmxDisplayName(def.name));
  if (def.genid !== undefined) {
    const [high, low] = genIdHalves(def.genid);
    out.set('vm.genid', high);
    out.set('vm.genidX', low);
  }
  if (def.description !== undefined) out.set('annotation', escapeVmxAnnotation(def.description));
  formatMemory(out, def);

  const vcpus = def.vcpu?.count ?? 1;
  if (def.vcpu?.current !== undefined && def.vcpu.current !== vcpus) {
    throw unsupported("No support for domain XML entry 'vcpu' attribute 'current'");
  }
  out.set('numvcpus', vcpus);
  formatCpu(out, def, vcpus);

  for (const g of devices.graphics ?? []) formatVnc(out, g);

  const placed = (devices.disks ?? []).map((d) => placeDisk(d, virtualHW));
  const scsi = gatherScsiControllers(placed, devices.controllers ?? [], options.autodetectScsiControllerModel);
  scsi.forEach((model, i) => {
    if (model === undefined) return;
    out.set(`scsi${i}.present`, 'true');
    if (model !== 'default') out.set(`scsi${i}.virtualDev`, model === 'vmpvscsi' ? 'pvscsi' : model);
  });
  const sata = new Set(placed.filter((p) => p.bus === 'sata').map((p) => p.slot.controller));
  for (const c of [...sata].sort()) out.set(`sata${c}.present`, 'true');
  const floppyPresent = [false, false];
  for (const p of placed) {
    if (p.bus === 'fdc') {
      floppyPresent[p.slot.unit] = true;
      formatFloppy(out, p, formatFileName);
    } else {
      formatDisk(out, p, formatFileName);
    }
  }
  // floppyN.present defaults to true in VMware, so absent floppies are disabled explicitly.
  floppyPresent.forEach((present, i) => {
    if (!present) out.set(`floppy${i}.present`, 'false');
  });

  const filesystems = devices.filesystems ?? [];
  if (filesystems.length > 0) {
    out.set('isolation.tools.hgfs.disable', 'false');
    out.set('sharedFolder.maxNum', filesystems.length);
  }
  filesystems.forEach((fs, i) => formatSharedFolder(out, fs, i));
  (devices.interfaces ?? []).forEach((net, i) => formatEthernet(out, net, i, virtualHW));

  const videos = devices.videos ?? [];
  if (videos.length > 1) throw unsupported('No support for multiple video devices');
  // libvirt adds a default video device when there is graphics but no video.
  if (videos.length === 1 || (devices.graphics ?? []).length > 0) formatSvga(out, videos[0]);

  (devices.serials ?? []).forEach((chr, i) => formatChr(out, 'serial', chr, i, formatFileName));
  (devices.parallels ?? []).forEach((chr, i) => formatChr(out, 'parallel', chr, i, formatFileName));

  if (def.os?.firmware === 'efi') out.set('firmware', 'efi');
  const tpms = devices.tpms ?? [];
  if (tpms.length > 1) throw unsupported('No support for multiple TPM devices');
  if (tpms[0]) formatTpm(out, tpms[0]);

  if (virtualHW >= 7) {
    // PCIe root ports for the SCSI controllers, as the vSphere client creates them.
    if (scsi.some((m) => m !== undefined)) {
      out.set('pciBridge0.present', 'true');
      for (const n of [4, 5, 6, 7]) {
        out.set(`pciBridge${n}.present`, 'true');
        out.set(`pciBridge${n}.virtualDev`, 'pcieRootPort');
        out.set(`pciBridge${n}.functions`, '8');
      }
    }
    out.set('vmci0.present', 'true');
  }
  return out.toString();
}

// <interface>, <serial>, <parallel>, <filesystem>, <graphics>, <video>, <tpm> -> VMX (libvirt's
// virVMXFormatEthernet, ...Serial, ...Parallel, ...FileSystem, ...VNC, ...SVGA).
import { ConversionError } from '../domain/errors.js';
import { ESX_NIC_MODELS, type ChrDef, type FilesystemDef, type GraphicsDef, type InterfaceDef, type TpmDef, type VideoDef } from '../domain/model.js';
import { macBytes, parseUuid, formatVmxUuid } from '../domain/values.js';
import type { VmxWriter } from './writer.js';

const unsupported = (message: string) => new ConversionError('config-unsupported', message);
const invalid = (message: string) => new ConversionError('config-invalid', message);

export function formatVnc(out: VmxWriter, g: GraphicsDef): void {
  if (g.type !== 'vnc') throw unsupported(`Unsupported graphics type '${g.type}'`);
  out.set('RemoteDisplay.vnc.enabled', 'true');
  // An automatic port cannot be written: ESX would not report the one it picks.
  if (!g.autoport && g.port !== undefined) out.set('RemoteDisplay.vnc.port', g.port);
  const address = g.listens?.[0]?.type === 'address' ? g.listens[0].address : undefined;
  if (address !== undefined) out.set('RemoteDisplay.vnc.ip', address);
  if (g.keymap !== undefined) out.set('RemoteDisplay.vnc.keymap', g.keymap);
  if (g.passwd !== undefined) out.set('RemoteDisplay.vnc.password', g.passwd);
}

export function formatSharedFolder(out: VmxWriter, fs: FilesystemDef, n: number): void {
  const p = `sharedFolder${n}`;
  out.set(`${p}.present`, 'true');
  out.set(`${p}.enabled`, 'true');
  out.set(`${p}.readAccess`, 'true');
  out.set(`${p}.writeAccess`, fs.readonly ? 'false' : 'true');
  out.set(`${p}.hostPath`, fs.source.dir);
  out.set(`${p}.guestName`, fs.target.dir);
}

/** How ESX should treat the MAC: libvirt guesses from the VMware ranges unless the type is given. */
function macSettings(mac: NonNullable<InterfaceDef['mac']>): { kind: 'generated' | 'vpx' | 'static'; check?: boolean } {
  const b = macBytes(mac.address);
  const prefix = (b[0]! << 16) | (b[1]! << 8) | b[2]!;
  const suffix = (b[3]! << 16) | (b[4]! << 8) | b[5]!;
  // 00:0c:29 is ESX's own range; 00:50:56 splits into hand-set (to 3f:ff:ff) and vCenter (80-bf).
  const vpx = prefix === 0x005056 && suffix >= 0x800000 && suffix <= 0xbfffff;
  let kind: 'generated' | 'vpx' | 'static';
  let check: boolean | undefined;
  if (prefix === 0x000c29) kind = 'generated';
  else if (prefix === 0x005056 && suffix <= 0x3fffff) kind = 'static';
  else if (vpx) kind = 'vpx';
  else {
    kind = 'static';
    check = false; // outside the VMware ranges ESX refuses the address unless told not to check
  }
  if (mac.type === 'static') kind = 'static';
  else if (mac.type === 'generated') {
    kind = vpx ? 'vpx' : 'generated';
    check = undefined;
  }
  if (mac.check !== undefined) check = mac.check;
  return check === undefined ? { kind } : { kind, check };
}

export function formatEthernet(out: VmxWriter, net: InterfaceDef, n: number, virtualHW: number): void {
  // Hardware older than 7 (ESX 4.0) has 4 NICs, newer 10.
  const limit = virtualHW >= 7 ? 9 : 3;
  if (n > limit) throw invalid(`Ethernet controller index ${n} out of [0..${limit}] range`);
  const p = `ethernet${n}`;
  out.set(`${p}.present`, 'true');
  const model = net.model?.type;
  if (model !== undefined) {
    if (!(ESX_NIC_MODELS as readonly string[]).includes(model)) {
      throw invalid(
        `Expecting domain XML entry 'devices/interface/model' to be 'vlance' or 'vmxnet' or 'vmxnet2' or 'vmxnet3' or 'e1000' or 'e1000e' but found '${model}'`,
      );
    }
    if (model === 'vmxnet2') {
      out.set(`${p}.virtualDev`, 'vmxnet');
      out.set(`${p}.features`, '15');
    } else {
      out.set(`${p}.virtualDev`, model);
    }
  }
  switch (net.type) {
    case 'bridge':
      if (net.source?.bridge !== undefined) out.set(`${p}.networkName`, net.source.bridge);
      if (net.target?.dev !== undefined) {
        out.set(`${p}.connectionType`, 'custom');
        out.set(`${p}.vnet`, net.target.dev);
      } else {
        out.set(`${p}.connectionType`, 'bridged');
      }
      break;
    case 'user':
      out.set(`${p}.connectionType`, 'nat');
      break;
    case 'null':
      break;
    case 'vds': {
      const uuid = net.source?.switchId === undefined ? undefined : parseUuid(net.source.switchId);
      if (!uuid) throw invalid(`Interface ${n} of type 'vds' needs a valid source switchId`);
      out.set(`${p}.dvs.switchId`, formatVmxUuid(uuid));
      if (net.source?.portId !== undefined) out.set(`${p}.dvs.portId`, net.source.portId);
      if (net.source?.portgroupId !== undefined) out.set(`${p}.dvs.portgroupId`, net.source.portgroupId);
      if (net.source?.connectionId !== undefined) out.set(`${p}.dvs.connectionId`, net.source.connectionId);
      break;
    }
    default:
      throw unsupported(`Unsupported net type '${net.type}'`);
  }
  if (net.mac === undefined) {
    // No address: ESX generates one when the VM is registered.
    out.set(`${p}.addressType`, 'generated');
    return;
  }
  const { kind, check } = macSettings(net.mac);
  if (kind === 'static') {
    out.set(`${p}.addressType`, 'static');
    out.set(`${p}.address`, net.mac.address);
  } else {
    out.set(`${p}.addressType`, kind);
    out.set(`${p}.generatedAddress`, net.mac.address);
    if (kind === 'generated') out.set(`${p}.generatedAddressOffset`, '0');
  }
  if (check !== undefined) out.set(`${p}.checkMACAddress`, check ? 'true' : 'false');
}

const TCP_SCHEMES = { raw: 'tcp', telnet: 'telnet', telnets: 'telnets', tls: 'ssl' } as const;

export function formatChr(out: VmxWriter, kind: 'serial' | 'parallel', chr: ChrDef, index: number, formatFileName: (src: string) => string): void {
  const port = chr.target?.port ?? index;
  const max = kind === 'serial' ? 3 : 2;
  const label = kind === 'serial' ? 'Serial' : 'Parallel';
  if (port > max) throw invalid(`${label} port index ${port} out of [0..${max}] range`);
  const p = `${kind}${port}`;
  const path = () => {
    if (chr.source?.path === undefined) throw invalid(`${label} port ${port} of type '${chr.type}' needs a source path`);
    return chr.source.path;
  };
  out.set(`${p}.present`, 'true');
  switch (chr.type) {
    case 'dev':
      out.set(`${p}.fileType`, 'device');
      out.set(`${p}.fileName`, path());
      break;
    case 'file':
      out.set(`${p}.fileType`, 'file');
      out.set(`${p}.fileName`, formatFileName(path()));
      break;
    case 'pipe':
      if (kind !== 'serial') throw unsupported(`Unsupported character device type '${chr.type}'`);
      out.set(`${p}.fileType`, 'pipe');
      // The far end is not representable in domain XML; these are the vSphere client's defaults.
      out.set(`${p}.pipe.endPoint`, 'client');
      out.set(`${p}.tryNoRxLoss`, 'false');
      out.set(`${p}.fileName`, path());
      break;
    case 'tcp': {
      if (kind !== 'serial') throw unsupported(`Unsupported character device type '${chr.type}'`);
      const scheme = TCP_SCHEMES[chr.protocol?.type ?? 'raw'];
      const host = chr.source?.host;
      const service = chr.source?.service;
      if (host === undefined || service === undefined) throw invalid(`Serial port ${port} of type 'tcp' needs a source host and service`);
      out.set(`${p}.fileType`, 'network');
      out.set(`${p}.fileName`, `${scheme}://${host.includes(':') ? `[${host}]` : host}:${service}`);
      out.set(`${p}.network.endPoint`, chr.source?.mode === 'connect' ? 'client' : 'server');
      break;
    }
    default:
      throw unsupported(`Unsupported character device type '${chr.type}'`);
  }
  // The vSphere client's default for serial ports, which keeps an idle port from spinning a CPU.
  if (kind === 'serial') out.set(`${p}.yieldOnMsrRead`, 'true');
}

/** svga.vramSize in bytes, rounded up to 64 KiB (VMware KB 1003: Windows guests need it). */
export function formatSvga(out: VmxWriter, video: VideoDef | undefined): void {
  const model = video?.model;
  if (model !== undefined && model.type !== 'vmvga') throw unsupported(`Unsupported video device type '${model.type}'`);
  if (model?.heads !== undefined && model.heads > 1) throw unsupported('Multi-head video devices are unsupported');
  const vram = Math.ceil((model?.vram ?? 4096) / 64) * 64;
  out.set('svga.vramSize', vram * 1024);
}

export function formatTpm(out: VmxWriter, tpm: TpmDef): void {
  if (tpm.backend.type !== 'emulator' || (tpm.backend.version !== undefined && tpm.backend.version !== '2.0')) {
    throw unsupported("ESX has only a virtual TPM 2.0 (backend type 'emulator', version '2.0')");
  }
  out.set('vtpm.present', 'true');
}

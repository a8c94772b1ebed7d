// VMX -> <interface>, <serial>, <parallel>, <filesystem>, <graphics>, <video> (libvirt's
// virVMXParseEthernet, ...Serial, ...Parallel, ...FileSystem, ...VNC, ...SVGA).
import { ConversionError } from '../domain/errors.js';
import type { ChrDef, FilesystemDef, GraphicsDef, InterfaceDef, VideoDef } from '../domain/model.js';
import type { VmxConfig } from './config.js';
import type { FileNameContext, ParseFileName } from './file-names.js';
import { formatUuid, parseMac, parseUuid } from '../domain/values.js';

const eqCI = (s: string | undefined, t: string) => s !== undefined && s.toLowerCase() === t;

function macFrom(conf: VmxConfig, key: string): string {
  const value = conf.string(key);
  if (value === undefined) return '00:00:00:00:00:00';
  const mac = parseMac(value);
  if (mac === undefined) {
    throw new ConversionError('vmx-invalid', `Expecting VMX entry '${key}' to be MAC address but found '${value}'`, { path: key });
  }
  return mac;
}

const NIC_MODELS = ['vlance', 'vmxnet', 'vmxnet3', 'e1000', 'e1000e'];

export function parseEthernet(conf: VmxConfig, n: number): InterfaceDef | null {
  const p = `ethernet${n}`;
  if (!conf.boolean(`${p}.present`, false)) return null;
  conf.boolean(`${p}.startConnected`, true);
  const connectionType = conf.string(`${p}.connectionType`);
  const addressType = conf.string(`${p}.addressType`);

  // vpx: assigned by vCenter; libvirt has no third MAC type, so it reads as generated.
  let mac: NonNullable<InterfaceDef['mac']>;
  if (addressType === undefined || eqCI(addressType, 'generated') || eqCI(addressType, 'vpx')) {
    mac = { address: macFrom(conf, `${p}.generatedAddress`) };
    if (addressType !== undefined) mac.type = 'generated';
  } else if (eqCI(addressType, 'static')) {
    mac = { address: macFrom(conf, `${p}.address`), type: 'static' };
  } else {
    throw new ConversionError(
      'vmx-invalid',
      `Expecting VMX entry '${p}.addressType' to be 'generated' or 'static' or 'vpx' but found '${addressType}'`,
      { path: `${p}.addressType` },
    );
  }
  const checkMac = conf.string(`${p}.checkMACAddress`);
  if (checkMac !== undefined) mac.check = checkMac.toLowerCase() === 'true';

  let model: string | undefined;
  const virtualDev = conf.string(`${p}.virtualDev`);
  const features = conf.long(`${p}.features`, 0);
  if (virtualDev !== undefined) {
    model = virtualDev.toLowerCase();
    if (!NIC_MODELS.includes(model)) {
      throw new ConversionError(
        'vmx-invalid',
        `Expecting VMX entry '${p}.virtualDev' to be 'vlance' or 'vmxnet' or 'vmxnet3' or 'e1000' or 'e1000e' but found '${virtualDev}'`,
        { path: `${p}.virtualDev` },
      );
    }
    // "Enhanced vmxnet" is vmxnet with feature bits 15.
    if (model === 'vmxnet' && features === 15) model = 'vmxnet2';
  }

  // libvirt insists on networkName for explicit bridged/custom connections; Workstation leaves it
  // out (vmnet0, or the vnet of a custom network), so it is optional here.
  const bridged = connectionType === undefined || eqCI(connectionType, 'bridged') || eqCI(connectionType, 'custom');
  const networkName = bridged ? conf.string(`${p}.networkName`) : undefined;
  const vnet = eqCI(connectionType, 'custom') ? conf.string(`${p}.vnet`, true) : undefined;
  const switchId = conf.string(`${p}.dvs.switchId`);

  const net: InterfaceDef = { type: 'null', mac };
  if (switchId !== undefined) {
    const uuid = parseUuid(switchId);
    if (uuid === undefined) {
      throw new ConversionError('vmx-invalid', `Could not parse UUID from string '${switchId}'`, { path: `${p}.dvs.switchId` });
    }
    net.type = 'vds';
    net.source = { switchId: formatUuid(uuid) };
    const portgroupId = conf.string(`${p}.dvs.portgroupId`);
    // With a port group, the port and connection default to 0 (as libvirt shows them).
    const number = (key: string) => (conf.has(key) || portgroupId !== undefined ? conf.long(key, 0) : undefined);
    const portId = number(`${p}.dvs.portId`);
    const connectionId = number(`${p}.dvs.connectionId`);
    if (portId !== undefined) net.source.portId = portId;
    if (portgroupId !== undefined) net.source.portgroupId = portgroupId;
    if (connectionId !== undefined) net.source.connectionId = connectionId;
  } else if (connectionType === undefined && networkName === undefined) {
    net.type = 'null';
  } else if (connectionType === undefined || eqCI(connectionType, 'bridged')) {
    net.type = 'bridge';
    if (networkName !== undefined) net.source = { bridge: networkName };
  } else if (eqCI(connectionType, 'hostonly')) {
    throw new ConversionError('vmx-invalid', `No yet handled value '${connectionType}' for VMX entry '${p}.connectionType'`, {
      path: `${p}.connectionType`,
    });
  } else if (eqCI(connectionType, 'nat')) {
    net.type = 'user';
  } else if (eqCI(connectionType, 'custom')) {
    net.type = 'bridge';
    if (networkName !== undefined) net.source = { bridge: networkName };
    net.target = { dev: vnet! };
  } else {
    throw new ConversionError('vmx-invalid', `Invalid value '${connectionType}' for VMX entry '${p}.connectionType'`, {
      path: `${p}.connectionType`,
    });
  }
  if (model !== undefined) net.model = { type: model };
  return net;
}

type ChrKind = 'serial' | 'parallel';

function fileSource(conf: VmxConfig, key: string, parseFileName: ParseFileName, fileNames: FileNameContext): string {
  const fileName = conf.string(key, true);
  const path = parseFileName(fileName, fileNames);
  if (path === null) throw new ConversionError('file-missing', `Referenced missing file '${fileName}' (VMX entry '${key}')`, { path: key });
  return path;
}

const TCP_SCHEMES: Record<string, 'raw' | 'telnet' | 'telnets' | 'tls'> = {
  tcp: 'raw',
  tcp4: 'raw',
  tcp6: 'raw',
  telnet: 'telnet',
  telnets: 'telnets',
  ssl: 'tls',
  'tcp+ssl': 'tls',
  'tcp4+ssl': 'tls',
  'tcp6+ssl': 'tls',
};

function parseNetworkSerial(conf: VmxConfig, p: string): ChrDef {
  const key = `${p}.fileName`;
  const fileName = conf.string(key, true);
  // scheme://host:port; the host may be an IPv6 literal in brackets.
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\[[^\]]*\]|[^:/]*)(?::(\d*))?\/?$/i.exec(fileName);
  if (!m) throw new ConversionError('vmx-invalid', `VMX entry '${key}' is not a valid URI: '${fileName}'`, { path: key });
  const [, scheme, host, port] = m;
  if (port === undefined || port === '' || Number(port) === 0) {
    throw new ConversionError('vmx-invalid', `VMX entry '${key}' doesn't contain a port part`, { path: key });
  }
  const protocol = scheme === undefined ? 'raw' : TCP_SCHEMES[scheme.toLowerCase()];
  if (protocol === undefined) {
    throw new ConversionError('vmx-invalid', `VMX entry '${key}' contains unsupported scheme '${scheme}'`, { path: key });
  }
  const endPoint = conf.string(`${p}.network.endPoint`);
  if (endPoint !== undefined && !eqCI(endPoint, 'server') && !eqCI(endPoint, 'client')) {
    throw new ConversionError(
      'vmx-invalid',
      `Expecting VMX entry '${p}.network.endPoint' to be 'server' or 'client' but found '${endPoint}'`,
      { path: `${p}.network.endPoint` },
    );
  }
  return {
    type: 'tcp',
    source: { mode: eqCI(endPoint, 'client') ? 'connect' : 'bind', host: host!.replace(/^\[|\]$/g, ''), service: String(Number(port)) },
    protocol: { type: protocol },
  };
}

export function parseChr(
  conf: VmxConfig,
  kind: ChrKind,
  port: number,
  parseFileName: ParseFileName,
  fileNames: FileNameContext,
): ChrDef | null {
  const p = `${kind}${port}`;
  if (!conf.boolean(`${p}.present`, false)) return null;
  conf.boolean(`${p}.startConnected`, true);
  // A serial port's fileType defaults to 'device' (ESX omits it); a parallel port must name it.
  const fileType = kind === 'serial' ? conf.string(`${p}.fileType`) : conf.string(`${p}.fileType`, true);
  let chr: ChrDef;
  if (fileType === undefined || eqCI(fileType, 'device')) {
    const path = kind === 'serial' ? conf.string(`${p}.fileName`) : conf.string(`${p}.fileName`, true);
    chr = path === undefined ? { type: 'dev' } : { type: 'dev', source: { path } };
  } else if (eqCI(fileType, 'file')) {
    chr = { type: 'file', source: { path: fileSource(conf, `${p}.fileName`, parseFileName, fileNames) } };
  } else if (kind === 'serial' && eqCI(fileType, 'pipe')) {
    // Client/server and VM/application ends of a pipe are not representable in domain XML.
    const path = conf.string(`${p}.fileName`);
    chr = path === undefined ? { type: 'pipe' } : { type: 'pipe', source: { path } };
  } else if (kind === 'serial' && eqCI(fileType, 'network')) {
    chr = parseNetworkSerial(conf, p);
  } else {
    throw new ConversionError(
      'vmx-invalid',
      kind === 'serial'
        ? `Expecting VMX entry '${p}.fileType' to be 'device', 'file' or 'pipe' or 'network' but found '${fileType}'`
        : `Expecting VMX entry '${p}.fileType' to be 'device' or 'file' but found '${fileType}'`,
      { path: `${p}.fileType` },
    );
  }
  chr.target = { port };
  return chr;
}

export function parseSharedFolders(conf: VmxConfig): FilesystemDef[] {
  if (conf.boolean('isolation.tools.hgfs.disable', true)) return [];
  const max = conf.long('sharedFolder.maxNum', 0);
  const folders: FilesystemDef[] = [];
  for (let n = 0; n < max; n++) {
    const p = `sharedFolder${n}`;
    const present = conf.boolean(`${p}.present`, false);
    const enabled = conf.boolean(`${p}.enabled`, false);
    if (!(present && enabled)) continue;
    const fs: FilesystemDef = {
      type: 'mount',
      accessmode: 'passthrough',
      source: { dir: conf.string(`${p}.hostPath`, true) },
      target: { dir: conf.string(`${p}.guestName`, true) },
    };
    if (!conf.boolean(`${p}.writeAccess`, false)) fs.readonly = true;
    folders.push(fs);
  }
  return folders;
}

export function parseVnc(conf: VmxConfig): GraphicsDef | null {
  if (!conf.boolean('RemoteDisplay.vnc.enabled', false)) return null;
  const port = conf.long('RemoteDisplay.vnc.port', -1);
  const ip = conf.string('RemoteDisplay.vnc.ip');
  const keymap = conf.string('RemoteDisplay.vnc.keymap');
  const passwd = conf.string('RemoteDisplay.vnc.password');
  // Without a port entry the port is chosen at power-on and cannot be read back.
  const graphics: GraphicsDef = port < 0 ? { type: 'vnc', autoport: true } : { type: 'vnc', port, autoport: false };
  if (keymap !== undefined) graphics.keymap = keymap;
  if (passwd !== undefined) graphics.passwd = passwd;
  graphics.listens = [ip === undefined ? { type: 'address' } : { type: 'address', address: ip }];
  return graphics;
}

export function parseSvga(conf: VmxConfig): VideoDef {
  const bytes = conf.long('svga.vramSize', 4 * 1024 * 1024);
  return { model: { type: 'vmvga', vram: Math.ceil(bytes / 1024), primary: true } };
}

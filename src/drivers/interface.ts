// Interfaces (libvirt's esx interface driver): the host's physical NICs, read-only. libvirt shows
// them as ethernet interfaces started on boot, with their MAC; the link state and speed come from
// the NIC's negotiated linkSpeed (absent = link down).
import { escapeXml as x } from '../vi/soap/xml.js';
import { ApiError } from './errors.js';
import type { NetworkDriver } from './network.js';

export interface HostInterface {
  name: string;
  mac: string;
  active: boolean;
  /** Mbit/s, null when the link is down. */
  speed: number | null;
  duplex: 'full' | 'half' | null;
  driver: string | null;
  pci: string | null;
  key: string;
}

interface Pnic {
  key?: string;
  device?: string;
  mac?: string;
  driver?: string;
  pci?: string;
  linkSpeed?: { speedMb?: number; duplex?: boolean };
}

export function interfaceOf(p: Pnic): HostInterface {
  const link = p.linkSpeed;
  return {
    name: String(p.device ?? ''),
    mac: String(p.mac ?? '').toLowerCase(),
    active: !!link,
    speed: link?.speedMb ?? null,
    duplex: link ? (link.duplex ? 'full' : 'half') : null,
    driver: p.driver ?? null,
    pci: p.pci ?? null,
    key: String(p.key ?? ''),
  };
}

const MAC_RE = /^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$/i;
const normMac = (m: string) => m.toLowerCase().replace(/[:-]/g, '');

export function interfaceXml(i: HostInterface): string {
  return [
    `<interface type='ethernet' name='${x(i.name)}'>`,
    "  <start mode='onboot'/>",
    `  <mac address='${x(i.mac)}'/>`,
    i.active ? `  <link speed='${i.speed}' state='up'/>` : "  <link state='down'/>",
    '</interface>',
    '',
  ].join('\n');
}

export class InterfaceDriver {
  constructor(readonly network: NetworkDriver) {}

  async list(signal?: AbortSignal): Promise<HostInterface[]> {
    const info = (await this.network.info(signal)) as { pnic?: Pnic[] };
    return (info.pnic ?? []).map(interfaceOf).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** By name or MAC address (virInterfaceLookupByName / ByMACString). */
  async lookup(nameOrMac: string, signal?: AbortSignal): Promise<HostInterface> {
    const all = await this.list(signal);
    const i = all.find((n) => n.name === nameOrMac) ?? (MAC_RE.test(nameOrMac) ? all.find((n) => normMac(n.mac) === normMac(nameOrMac)) : undefined);
    if (!i) throw new ApiError('no-interface', `no interface with matching name or MAC address '${nameOrMac}'`);
    return i;
  }
}

// libvirt network XML for ESX virtual switches: written like libvirt's esx driver (bridge forward
// mode, uplinks as <forward><interface dev=.../>, port groups with their VLAN tag) and read for
// net-define, refusing with a 400 whatever an ESX standard vSwitch cannot do (NAT, routing, IP,
// DHCP, DNS, ...).
import { XMLParser } from 'fast-xml-parser';
import { escapeXml as x } from '../vi/soap/xml.js';
import { ApiError } from './errors.js';
import type { Network, NetworkDefinition, PortGroup } from './network.js';
import { md5Uuid } from './storage/pool.js';

export function networkXml(n: Network): string {
  const out = ['<network>', `  <name>${x(n.name)}</name>`, `  <uuid>${n.uuid}</uuid>`];
  if (n.forward.interfaces.length) {
    out.push("  <forward mode='bridge'>", ...n.forward.interfaces.map((d) => `    <interface dev='${x(d)}'/>`), '  </forward>');
  } else {
    out.push("  <forward mode='bridge'/>");
  }
  if (n.mtu) out.push(`  <mtu size='${n.mtu}'/>`);
  for (const pg of n.portgroups) {
    if (pg.vlan) out.push(`  <portgroup name='${x(pg.name)}'>`, '    <vlan>', `      <tag id='${pg.vlan}'/>`, '    </vlan>', '  </portgroup>');
    else out.push(`  <portgroup name='${x(pg.name)}'/>`);
  }
  out.push('</network>', '');
  return out.join('\n');
}

type El = Record<string, unknown>;
const unsupported = (what: string) => new ApiError('config-unsupported', what);
const attr = (e: unknown, a: string) => (e && typeof e === 'object' ? (e as El)[`@_${a}`] : undefined) as string | undefined;
const text = (e: unknown) => (e && typeof e === 'object' ? String((e as El)['#text'] ?? '') : String(e ?? '')).trim();

const WHAT_ESX_LACKS: Record<string, string> = {
  ip: 'IP addresses and DHCP (<ip>): an ESX virtual switch carries no host addresses or DHCP server',
  dns: 'DNS (<dns>): an ESX virtual switch has no DNS service',
  domain: 'a DNS domain (<domain>): an ESX virtual switch has no DNS service',
  route: 'static routes (<route>): an ESX virtual switch does not route',
  mac: 'a bridge MAC address (<mac>): an ESX virtual switch has none',
  bandwidth: 'bandwidth limits (<bandwidth>) are not supported by esxgate yet',
  virtualport: 'virtual ports (<virtualport>): standard vSwitches have none',
  vlan: 'a network-wide <vlan>: put the VLAN on a <portgroup>',
  dnsmasq: 'dnsmasq options',
};

export const forwardModeUnsupported = (mode: string) =>
  unsupported(`forward mode '${mode}' is not supported: an ESX virtual switch only bridges to its physical uplinks (use mode='bridge', or no <forward> for an isolated switch)`);

export function parseNetworkXml(xml: string): NetworkDefinition & { uuid?: string } {
  let doc: El;
  try {
    doc = new XMLParser({
      ignoreAttributes: false,
      parseTagValue: false,
      parseAttributeValue: false,
      isArray: (name) => ['interface', 'portgroup', 'tag', 'ip', 'route'].includes(name),
    }).parse(xml, true) as El;
  } catch (e) {
    throw new ApiError('xml-error', `network XML is not well-formed: ${(e as Error).message}`);
  }
  const net = doc.network as El | undefined;
  if (!net || typeof net !== 'object') throw new ApiError('xml-error', 'expected a <network> root element');
  for (const k of Object.keys(net)) {
    if (k.startsWith('@_')) continue;
    if (WHAT_ESX_LACKS[k]) throw unsupported(`ESX cannot do ${WHAT_ESX_LACKS[k]}`);
    if (!['name', 'uuid', 'forward', 'portgroup', 'bridge', 'mtu', 'title', 'description', 'metadata'].includes(k)) throw unsupported(`<network> element <${k}> is not supported on ESX`);
  }
  const name = text(net.name);
  if (!name) throw new ApiError('xml-error', '<network> needs a <name>');
  const fwd = net.forward;
  const mode = fwd === undefined ? undefined : (attr(fwd, 'mode') ?? 'nat');
  if (mode !== undefined && mode !== 'bridge') throw forwardModeUnsupported(mode);
  const interfaces = ((fwd && typeof fwd === 'object' ? (fwd as El).interface : undefined) as unknown[] | undefined)?.map((i) => attr(i, 'dev') ?? '') ?? [];
  if (interfaces.some((d) => !d)) throw new ApiError('xml-error', "<forward><interface> needs a dev='vmnicN' attribute");
  const bridge = attr(net.bridge, 'name');
  if (bridge !== undefined && bridge !== name) throw unsupported(`<bridge name='${bridge}'>: on ESX the bridge is the virtual switch, named like the network ('${name}')`);
  const portgroups: PortGroup[] = ((net.portgroup ?? []) as unknown[]).map((pg) => {
    const pgName = attr(pg, 'name') ?? '';
    const vlan = pg && typeof pg === 'object' ? ((pg as El).vlan as El | undefined) : undefined;
    const tags = (vlan?.tag ?? []) as unknown[];
    if (tags.length > 1) throw unsupported(`port group '${pgName}': several VLAN tags (trunking) are not supported; ESX port groups carry one VLAN id (4095 = all)`);
    const id = tags.length ? Number(attr(tags[0], 'id')) : 0;
    if (!Number.isInteger(id)) throw new ApiError('xml-error', `port group '${pgName}': VLAN tag id must be an integer`);
    return { name: pgName, vlan: id };
  });
  const mtu = net.mtu !== undefined ? Number(attr(net.mtu, 'size')) : undefined;
  if (mtu !== undefined && (!Number.isInteger(mtu) || mtu < 1280 || mtu > 9000)) throw new ApiError('invalid-arg', '<mtu size> must be 1280-9000 on ESX');
  const uuid = net.uuid !== undefined ? text(net.uuid) : undefined;
  if (uuid && uuid.toLowerCase().replace(/-/g, '') !== md5Uuid(`key-vim.host.VirtualSwitch-${name}`).replace(/-/g, '')) {
    throw unsupported(`<uuid>: ESX derives a network's UUID from its switch name (it would be ${md5Uuid(`key-vim.host.VirtualSwitch-${name}`)}); leave <uuid> out`);
  }
  return { name, interfaces, portgroups, ...(mtu ? { mtu } : {}), ...(uuid ? { uuid } : {}) };
}

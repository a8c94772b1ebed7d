// Networks (libvirt's esx network driver): a standard virtual switch of the host with its port
// groups. UUIDs are the MD5 of the switch key, as libvirt does, so they survive restarts. Define
// adds the switch and its port groups (rolled back when any step fails); undefine refuses while a
// VM uses one of the port groups.
import { isFault } from '../vi/errors.js';
import type { MoRef } from '../vi/soap/encode.js';
import type { EsxConnection } from './connection.js';
import { ApiError, fromVi, mapVi } from './errors.js';
import { md5Uuid } from './storage/pool.js';

export interface PortGroup {
  name: string;
  /** 0 = untagged; 4095 = all VLANs (virtual guest tagging). */
  vlan: number;
}

export interface Network {
  name: string;
  uuid: string;
  /** vSphere key of the switch (key-vim.host.VirtualSwitch-<name>). */
  key: string;
  active: boolean;
  persistent: boolean;
  autostart: boolean;
  bridge: string;
  forward: { mode: 'bridge'; interfaces: string[] };
  portgroups: PortGroup[];
  mtu: number | null;
  numPorts: number | null;
}

export interface NetworkDefinition {
  name: string;
  /** Physical NICs (vmnicN) bonded as uplinks. */
  interfaces?: string[];
  portgroups?: PortGroup[];
  mtu?: number;
  numPorts?: number;
}

type Obj = Record<string, unknown>;
interface NetworkInfo {
  vswitch?: Obj[];
  portgroup?: Array<{ key?: string; spec?: { name?: string; vlanId?: number; vswitchName?: string } }>;
  pnic?: Array<{ key?: string; device?: string }>;
}

const VSWITCH_KEY = 'key-vim.host.VirtualSwitch-';
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const norm = (u: string) => u.toLowerCase().replace(/-/g, '');
// ESX limits: vSwitch names up to 31 characters, port group names up to 59.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function networksFrom(info: NetworkInfo): Network[] {
  const pgs = info.portgroup ?? [];
  const pnics = info.pnic ?? [];
  return (info.vswitch ?? []).map((vs) => {
    const name = String(vs.name ?? '');
    const key = (vs.key as string) || `${VSWITCH_KEY}${name}`;
    const spec = (vs.spec ?? {}) as Obj;
    // Port groups are listed by key on ESX; match by key, then by name.
    const portgroups = ((vs.portgroup ?? []) as string[]).map((ref) => {
      const pg = pgs.find((p) => p.key === ref) ?? pgs.find((p) => p.spec?.name === ref);
      return { name: pg?.spec?.name ?? ref.replace(/^key-vim\.host\.PortGroup-/, ''), vlan: Number(pg?.spec?.vlanId ?? 0) };
    });
    const byKey = ((vs.pnic ?? []) as string[]).map((k) => pnics.find((p) => p.key === k)?.device ?? k.replace(/^key-vim\.host\.PhysicalNic-/, ''));
    const bridge = (spec.bridge ?? {}) as Obj;
    const interfaces = byKey.length ? byKey : ((bridge.nicDevice ?? []) as string[]);
    return {
      name,
      uuid: md5Uuid(key),
      key,
      active: true,
      persistent: true,
      autostart: true,
      bridge: name,
      forward: { mode: 'bridge' as const, interfaces },
      portgroups,
      mtu: vs.mtu !== undefined ? Number(vs.mtu) : null,
      numPorts: vs.numPorts !== undefined ? Number(vs.numPorts) : null,
    };
  });
}

export class NetworkDriver {
  constructor(readonly conn: EsxConnection) {}

  private async networkSystem(signal?: AbortSignal): Promise<{ host: MoRef; ns: MoRef }> {
    const host = await this.conn.host(signal);
    const ns = (await mapVi(() => this.conn.vi.pc.object(host, ['configManager.networkSystem'], { signal })))?.props['configManager.networkSystem'] as MoRef | undefined;
    if (!ns) throw new ApiError('operation-unsupported', 'the host has no network system');
    return { host, ns };
  }

  async info(signal?: AbortSignal): Promise<NetworkInfo> {
    const { ns } = await this.networkSystem(signal);
    return ((await mapVi(() => this.conn.vi.pc.object(ns, ['networkInfo'], { signal })))?.props.networkInfo ?? {}) as NetworkInfo;
  }

  async list(signal?: AbortSignal): Promise<Network[]> {
    return networksFrom(await this.info(signal)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** By switch name or UUID (virNetworkLookupByName / ByUUID). */
  async lookup(nameOrUuid: string, signal?: AbortSignal): Promise<Network> {
    const all = await this.list(signal);
    const n = all.find((x) => x.name === nameOrUuid) ?? (UUID_RE.test(nameOrUuid) ? all.find((x) => norm(x.uuid) === norm(nameOrUuid)) : undefined);
    if (!n) throw new ApiError('no-network', `no network with matching name or UUID '${nameOrUuid}'`);
    return n;
  }

  /** virNetworkDefineXML: AddVirtualSwitch, then AddPortGroup for each port group; undone on failure. */
  async define(def: NetworkDefinition, signal?: AbortSignal): Promise<Network> {
    const info = await this.info(signal);
    this.validate(def, info);
    const { ns } = await this.networkSystem(signal);
    const spec: Obj = { numPorts: def.numPorts ?? 128 };
    if (def.mtu) spec.mtu = def.mtu;
    if (def.interfaces?.length) spec.bridge = { _type: 'HostVirtualSwitchBondBridge', nicDevice: def.interfaces };
    await mapVi(() => this.conn.call('AddVirtualSwitch', { _this: ns, vswitchName: def.name, spec }, { signal }), {
      AlreadyExists: ['operation-invalid', `network '${def.name}' already exists`],
    });
    const added: string[] = [];
    try {
      for (const pg of def.portgroups ?? []) {
        await this.conn.call('AddPortGroup', { _this: ns, portgrp: { name: pg.name, vlanId: pg.vlan, vswitchName: def.name, policy: {} } }, { signal });
        added.push(pg.name);
      }
    } catch (e) {
      // Nothing half-done on ESX: take back what was added (without the request's signal).
      for (const pg of added.reverse()) await this.conn.call('RemovePortGroup', { _this: ns, pgName: pg }).catch(() => {});
      await this.conn.call('RemoveVirtualSwitch', { _this: ns, vswitchName: def.name }).catch(() => {});
      if (isFault(e, 'AlreadyExists') || isFault(e, 'DuplicateName')) throw new ApiError('operation-invalid', `a port group named as one of '${def.name}'s exists already`, { fault: (e as { fault: string }).fault });
      throw fromVi(e);
    }
    return this.lookup(def.name, signal);
  }

  /** virNetworkUndefine: refused while a VM uses one of its port groups. */
  async undefine(nameOrUuid: string, signal?: AbortSignal): Promise<void> {
    const n = await this.lookup(nameOrUuid, signal);
    const users = await this.vmsUsing(n.portgroups.map((p) => p.name), signal);
    if (users.length) {
      throw new ApiError('operation-invalid', `network '${n.name}' is in use by ${users.length} domain(s): ${users.slice(0, 10).join(', ')}`, { domains: users });
    }
    const { ns } = await this.networkSystem(signal);
    await mapVi(async () => {
      for (const pg of n.portgroups) await this.conn.call('RemovePortGroup', { _this: ns, pgName: pg.name }, { signal });
      await this.conn.call('RemoveVirtualSwitch', { _this: ns, vswitchName: n.name }, { signal });
    }, { NotFound: ['no-network', `network '${n.name}' went away`], ResourceInUse: ['operation-invalid', `network '${n.name}' is in use`] });
  }

  /** Names of the VMs (of the scope's host) with a NIC on one of these port groups. */
  private async vmsUsing(portgroups: string[], signal?: AbortSignal): Promise<string[]> {
    if (!portgroups.length) return [];
    return mapVi(async () => {
      const host = await this.conn.host(signal);
      const nets = ((await this.conn.vi.pc.object(host, ['network'], { signal }))?.props.network ?? []) as MoRef[];
      const named = await this.conn.vi.pc.objects(nets, 'Network', ['name'], { signal });
      const wanted = new Set(named.filter((n) => portgroups.includes(String(n.props.name))).map((n) => n.ref.value));
      if (!wanted.size) return [];
      const vms = await this.conn.vi.pc.container(host, [{ type: 'VirtualMachine', pathSet: ['name', 'network'] }], { signal });
      return vms.filter((v) => ((v.props.network ?? []) as MoRef[]).some((r) => wanted.has(r.value))).map((v) => String(v.props.name));
    });
  }

  private validate(def: NetworkDefinition, info: NetworkInfo): void {
    if (!def.name || def.name.length > 31 || CONTROL.test(def.name)) throw new ApiError('invalid-arg', `network name '${def.name}' must be 1-31 characters without control characters (an ESX vSwitch name)`);
    const pgNames = new Set<string>();
    for (const pg of def.portgroups ?? []) {
      if (!pg.name || pg.name.length > 59 || CONTROL.test(pg.name)) throw new ApiError('invalid-arg', `port group name '${pg.name}' must be 1-59 characters without control characters`);
      if (pgNames.has(pg.name)) throw new ApiError('invalid-arg', `port group '${pg.name}' is listed twice`);
      pgNames.add(pg.name);
      if (!Number.isInteger(pg.vlan) || pg.vlan < 0 || pg.vlan > 4095) throw new ApiError('invalid-arg', `port group '${pg.name}': VLAN ${pg.vlan} is not in 0-4095`);
      if ((info.portgroup ?? []).some((p) => p.spec?.name === pg.name)) throw new ApiError('operation-invalid', `port group '${pg.name}' exists already on this host`);
    }
    if ((info.vswitch ?? []).some((v) => v.name === def.name)) throw new ApiError('operation-invalid', `network '${def.name}' already exists`);
    const known = new Set((info.pnic ?? []).map((p) => p.device));
    const used = new Map<string, string>();
    for (const n of networksFrom(info)) for (const i of n.forward.interfaces) used.set(i, n.name);
    for (const dev of def.interfaces ?? []) {
      if (known.size && !known.has(dev)) throw new ApiError('invalid-arg', `no physical interface '${dev}' on this host`);
      if (used.has(dev)) throw new ApiError('operation-invalid', `physical interface '${dev}' is already an uplink of network '${used.get(dev)}'`);
    }
  }
}

// The gateway's connection to one ESX host or vCenter (libvirt's virConnect for the esx driver):
// the VI client, what the URI scopes to (vpx://vc/DC/cluster/host), and the connection settings.
import type { ConnectionConfig } from '../config.js';
import { ViClient } from '../vi/client.js';
import type { MoRef } from '../vi/soap/encode.js';
import { ApiError, mapVi } from './errors.js';

export interface Scope {
  datacenter: MoRef;
  /** The compute resource (standalone host or cluster) the URI names, if any. */
  computeResource?: MoRef;
  /** The host the URI names (always set for esx://). */
  host?: MoRef;
  /** Where VMs are listed from: host, compute resource, datacenter or the root folder. */
  container: MoRef;
  vmFolder: MoRef;
  hostFolder: MoRef;
  datastoreFolder: MoRef;
  networkFolder: MoRef;
}

export interface ConnectionOptions {
  poolSize?: number;
  timeoutMs?: number;
  log?: { warn(o: object, msg: string): void; debug(o: object, msg: string): void; info(o: object, msg: string): void };
  onCall?: (method: string, ms: number, fault: string | null) => void;
}

export class EsxConnection {
  readonly vi: ViClient;
  private scopeState: Scope | null = null;
  private resolving: Promise<Scope> | null = null;

  constructor(
    readonly config: ConnectionConfig,
    opts: ConnectionOptions = {},
  ) {
    this.vi = new ViClient({
      origin: `${config.transport}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`,
      path: '/sdk',
      noVerify: config.noVerify,
      ca: config.cacert,
      proxy: config.proxy,
      timeoutMs: opts.timeoutMs,
      onCall: opts.onCall,
      credentials: { username: config.username, password: config.password },
      pool: { size: opts.poolSize ?? 4, log: opts.log },
    });
  }

  get autoAnswer(): boolean {
    return this.config.autoAnswer;
  }

  /** Connects (once) and resolves the URI's scope; errors are ApiErrors. */
  async scope(signal?: AbortSignal): Promise<Scope> {
    if (this.scopeState && this.vi.connected) return this.scopeState;
    this.resolving ??= mapVi(async () => {
      await this.vi.connect(signal);
      const apiType = this.vi.serviceContent.about.apiType;
      if (this.config.scheme === 'esx' && apiType !== 'HostAgent') {
        throw new ApiError('invalid-arg', `the URI says esx:// but ${this.config.host} is a ${apiType}; use vpx://`);
      }
      if (this.config.scheme === 'vpx' && apiType !== 'VirtualCenter') {
        throw new ApiError('invalid-arg', `the URI says vpx:// but ${this.config.host} is a ${apiType}; use esx://`);
      }
      this.scopeState = await this.resolveScope(signal);
      return this.scopeState;
    }).finally(() => {
      this.resolving = null;
    });
    return this.resolving;
  }

  /** One vim25 call after the scope is known (so the connection is up); VI errors pass through. */
  async call<T = unknown>(method: string, params: Record<string, unknown>, o: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T> {
    await this.scope(o.signal);
    return this.vi.call<T>(method, params, o);
  }

  private async findByPath(path: string, signal?: AbortSignal): Promise<MoRef | undefined> {
    const si = this.vi.serviceContent.searchIndex;
    if (!si) return undefined;
    return (await this.vi.call<MoRef | undefined>('FindByInventoryPath', { _this: si, inventoryPath: path }, { signal })) ?? undefined;
  }

  private async folders(dc: MoRef, signal?: AbortSignal) {
    const p = (await this.vi.pc.object(dc, ['vmFolder', 'hostFolder', 'datastoreFolder', 'networkFolder'], { signal }))?.props ?? {};
    return {
      vmFolder: p.vmFolder as MoRef,
      hostFolder: p.hostFolder as MoRef,
      datastoreFolder: p.datastoreFolder as MoRef,
      networkFolder: p.networkFolder as MoRef,
    };
  }

  /**
   * libvirt's vpx path is [folders/]datacenter[/folders]/computeResource[/host], without the
   * datacenter's "host" folder; an empty path scopes to the whole inventory.
   */
  private async resolveScope(signal?: AbortSignal): Promise<Scope> {
    const root = this.vi.serviceContent.rootFolder;
    const enc = (s: string) => s.replace(/%/g, '%25').replace(/\//g, '%2f');
    const path = this.config.path.map(enc);
    let datacenter: MoRef | undefined;
    let i = 0;
    for (; i < path.length && !datacenter; i++) {
      const ref = await this.findByPath(path.slice(0, i + 1).join('/'), signal);
      if (ref?.type === 'Datacenter') datacenter = ref;
      else if (ref?.type !== 'Folder') throw new ApiError('invalid-arg', `vpx path: "${this.config.path.slice(0, i + 1).join('/')}" is not a folder or datacenter`);
    }
    if (!datacenter) {
      const dcs = await this.vi.pc.container(root, [{ type: 'Datacenter', pathSet: ['name'] }], { signal });
      if (!dcs.length) throw new ApiError('upstream-error', 'the endpoint has no datacenter');
      if (this.config.path.length) throw new ApiError('invalid-arg', `vpx path: no datacenter in "/${this.config.path.join('/')}"`);
      datacenter = dcs[0]!.ref;
    }
    const f = await this.folders(datacenter, signal);
    const scope: Scope = { datacenter, container: this.config.path.length ? datacenter : root, ...f };
    const dcPath = path.slice(0, i).join('/');
    if (i < path.length) {
      let j = i;
      let cr: MoRef | undefined;
      for (; j < path.length && !cr; j++) {
        const ref = await this.findByPath(`${dcPath}/host/${path.slice(i, j + 1).join('/')}`, signal);
        if (ref && (ref.type === 'ComputeResource' || ref.type === 'ClusterComputeResource')) cr = ref;
        else if (ref?.type !== 'Folder') throw new ApiError('invalid-arg', `vpx path: no compute resource "${this.config.path.slice(i, j + 1).join('/')}" in the datacenter`);
      }
      if (!cr) throw new ApiError('invalid-arg', `vpx path: "/${this.config.path.join('/')}" names no compute resource`);
      scope.computeResource = cr;
      scope.container = cr;
      if (j < path.length) {
        if (j !== path.length - 1) throw new ApiError('invalid-arg', `vpx path: too many elements after the host in "/${this.config.path.join('/')}"`);
        const host = await this.findByPath(`${dcPath}/host/${path.slice(i, j + 1).join('/')}`, signal);
        if (host?.type !== 'HostSystem') throw new ApiError('invalid-arg', `vpx path: no host "${this.config.path[j]}" in that compute resource`);
        scope.host = host;
        scope.container = host;
      } else if (cr.type === 'ComputeResource') {
        scope.host = ((await this.vi.pc.object(cr, ['host'], { signal }))?.props.host as MoRef[] | undefined)?.[0];
      }
    }
    if (this.config.scheme === 'esx') {
      const hosts = await this.vi.pc.container(root, [{ type: 'HostSystem', pathSet: ['name'] }], { signal });
      scope.host = hosts[0]?.ref;
    }
    return scope;
  }

  /** The host that node and network information come from: the URI's, or the first one. */
  async host(signal?: AbortSignal): Promise<MoRef> {
    const s = await this.scope(signal);
    if (s.host) return s.host;
    const hosts = await mapVi(() => this.vi.pc.container(s.container, [{ type: 'HostSystem', pathSet: ['name'] }], { signal }));
    if (!hosts.length) throw new ApiError('upstream-error', 'no host in the connection scope');
    return hosts[0]!.ref;
  }

  /** ESX answers: used by /readyz. */
  async ready(timeoutMs = 3000): Promise<boolean> {
    try {
      await this.scope();
      await this.vi.call('CurrentTime', { _this: { type: 'ServiceInstance', value: 'ServiceInstance' } }, { timeoutMs });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.vi.close();
  }
}

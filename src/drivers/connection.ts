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
  /** Largest SOAP response accepted (bytes). */
  maxResponseBytes?: number;
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
      maxResponseBytes: opts.maxResponseBytes,
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

  /** The child entities one level down, with names (libvirt paths skip the datacenter's "host" folder). */
  private async children(ref: MoRef, signal?: AbortSignal): Promise<Array<{ ref: MoRef; name: string }>> {
    const pc = this.vi.pc;
    let kids: MoRef[] = [];
    if (ref.type === 'Datacenter') {
      const hf = (await pc.object(ref, ['hostFolder'], { signal }))?.props.hostFolder as MoRef | undefined;
      return hf ? this.children(hf, signal) : [];
    }
    const path = ref.type === 'Folder' ? 'childEntity' : ref.type.endsWith('ComputeResource') ? 'host' : null;
    if (path) kids = ((await pc.object(ref, [path], { signal }))?.props[path] as MoRef[] | undefined) ?? [];
    if (!kids.length) return [];
    const types = [...new Set(kids.map((k) => k.type))];
    const named = await pc.retrieve(
      [{ propSet: types.map((type) => ({ type, pathSet: ['name'], all: false })), objectSet: kids.map((obj) => ({ obj, skip: false })) }],
      { signal },
    );
    return named.map((o) => ({ ref: o.ref, name: String(o.props.name ?? '') }));
  }

  /** Follows a libvirt vpx path element by element from `from` (names compared after %XX decoding). */
  private async walk(from: MoRef, names: string[], signal?: AbortSignal): Promise<MoRef[]> {
    const out: MoRef[] = [];
    let cur = from;
    for (const name of names) {
      const hit = (await this.children(cur, signal)).find((c) => c.name === name || decodeURIComponent(c.name.replace(/%(?![0-9a-fA-F]{2})/g, '%25')) === name);
      if (!hit) throw new ApiError('invalid-arg', `vpx path: no inventory item "${name}" in "/${[...this.config.path.slice(0, out.length)].join('/')}"`);
      out.push(hit.ref);
      cur = hit.ref;
    }
    return out;
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
   * datacenter's "host" folder; an empty path scopes to the whole inventory. The path is walked
   * through the property collector (SearchIndex.FindByInventoryPath is missing in the simulator).
   */
  private async resolveScope(signal?: AbortSignal): Promise<Scope> {
    const root = this.vi.serviceContent.rootFolder;
    const refs = await this.walk(root, this.config.path, signal);
    let datacenter = refs.find((r) => r.type === 'Datacenter');
    const where = `/${this.config.path.join('/')}`;
    if (!datacenter) {
      if (this.config.path.length) throw new ApiError('invalid-arg', `vpx path: no datacenter in "${where}"`);
      const dcs = await this.vi.pc.container(root, [{ type: 'Datacenter', pathSet: ['name'] }], { signal });
      if (!dcs.length) throw new ApiError('upstream-error', 'the endpoint has no datacenter');
      datacenter = dcs[0]!.ref;
    }
    const scope: Scope = { datacenter, container: this.config.path.length ? datacenter : root, ...(await this.folders(datacenter, signal)) };
    const after = refs.slice(refs.indexOf(datacenter) + 1);
    const last = after[after.length - 1];
    if (last) {
      const crIdx = after.findIndex((r) => r.type === 'ComputeResource' || r.type === 'ClusterComputeResource');
      if (crIdx < 0) throw new ApiError('invalid-arg', `vpx path: "${where}" names no compute resource`);
      if (after.length > crIdx + 2 || (after.length === crIdx + 2 && last.type !== 'HostSystem')) {
        throw new ApiError('invalid-arg', `vpx path: "${where}" has elements after the host`);
      }
      scope.computeResource = after[crIdx]!;
      scope.container = scope.computeResource;
      if (last.type === 'HostSystem') {
        scope.host = last;
        scope.container = last;
      } else if (scope.computeResource.type === 'ComputeResource') {
        scope.host = ((await this.vi.pc.object(scope.computeResource, ['host'], { signal }))?.props.host as MoRef[] | undefined)?.[0];
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

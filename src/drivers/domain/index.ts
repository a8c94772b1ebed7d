// Domain driver: VMs as libvirt domains. "lookup..." asks ESX; "get..." reads what was fetched.
import type { ObjectProps } from '../../vi/property-collector.js';
import type { MoRef } from '../../vi/soap/encode.js';
import { isFault } from '../../vi/errors.js';
import type { EsxConnection } from '../connection.js';
import { ApiError, mapVi } from '../errors.js';
import type { Mirror } from '../mirror.js';
import { DETAIL_PROPS, type DomainDetail, detailOf } from './detail.js';
import { type DomainState, UUID_RE, idOf, isActive, nameFromVi, normalizeUuid, stateOf } from './state.js';

export interface DomainSummary {
  name: string;
  uuid: string;
  /** libvirt's domain id: the MoRef number while the domain is active, else null. */
  id: number | null;
  state: DomainState;
  /** KiB */
  memory: number;
  vcpus: number;
  persistent: boolean;
  autostart: boolean;
  template: boolean;
  /** The vSphere managed object id (e.g. "vm-42" or "42"). */
  moref: string;
}

/** The properties a domain summary needs, in one RetrievePropertiesEx. */
export const SUMMARY_PROPS = ['name', 'config.uuid', 'runtime.powerState', 'config.hardware.memoryMB', 'config.hardware.numCPU', 'config.template'];

export type StateFilter = 'active' | 'inactive' | DomainState;

export interface ListOptions {
  state?: StateFilter;
  limit?: number;
  cursor?: string;
  signal?: AbortSignal;
}

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor?: string;
}

export function summaryOf(o: ObjectProps, autostart: Set<string>): DomainSummary {
  const p = o.props;
  const state = stateOf(p['runtime.powerState']);
  return {
    name: nameFromVi(String(p.name ?? '')),
    uuid: typeof p['config.uuid'] === 'string' && UUID_RE.test(p['config.uuid']) ? normalizeUuid(p['config.uuid']) : '',
    id: isActive(state) ? idOf(o.ref) : null,
    state,
    memory: Number(p['config.hardware.memoryMB'] ?? 0) * 1024,
    vcpus: Number(p['config.hardware.numCPU'] ?? 0),
    persistent: true,
    autostart: autostart.has(o.ref.value),
    template: p['config.template'] === true,
    moref: o.ref.value,
  };
}

export function matchesState(s: DomainState, f: StateFilter | undefined): boolean {
  if (!f) return true;
  if (f === 'active') return isActive(s);
  if (f === 'inactive') return !isActive(s);
  return s === f;
}

const encodeCursor = (d: DomainSummary) => Buffer.from(JSON.stringify([d.name, d.moref])).toString('base64url');
function decodeCursor(c: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  throw new ApiError('invalid-arg', 'cursor is not one this gateway issued');
}
const byNameThenRef = (a: DomainSummary, b: DomainSummary) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.moref < b.moref ? -1 : a.moref > b.moref ? 1 : 0;

/** Sorts, filters and pages domain summaries (cursor = the last item's name and MoRef). */
export function pageOf(all: DomainSummary[], o: ListOptions): Page<DomainSummary> {
  const filtered = all.filter((d) => matchesState(d.state, o.state)).sort(byNameThenRef);
  let start = 0;
  if (o.cursor) {
    const [name, moref] = decodeCursor(o.cursor);
    const probe = { name, moref } as DomainSummary;
    start = filtered.findIndex((d) => byNameThenRef(d, probe) > 0);
    if (start < 0) start = filtered.length;
  }
  const limit = o.limit ?? 1000;
  const items = filtered.slice(start, start + limit);
  const page: Page<DomainSummary> = { items, total: filtered.length };
  if (start + limit < filtered.length) page.nextCursor = encodeCursor(items[items.length - 1]!);
  return page;
}

export class DomainDriver {
  /** Set by createDrivers: list and lookup read from it when it is usable (src/drivers/mirror.ts). */
  mirror?: Mirror;
  private listCache?: { generation: number; summaries: DomainSummary[] };

  constructor(readonly conn: EsxConnection) {}

  /** MoRef values of VMs set to power on with their host (HostAutoStartManager). */
  async lookupAutostart(signal?: AbortSignal): Promise<Set<string>> {
    if (this.mirror?.usable) return this.mirror.autostart();
    const s = await this.conn.scope(signal);
    const pc = this.conn.vi.pc;
    const hosts = s.host ? [{ ref: s.host, props: (await pc.object(s.host, ['configManager.autoStartManager'], { signal }))?.props ?? {} }] : await pc.container(s.container, [{ type: 'HostSystem', pathSet: ['configManager.autoStartManager'] }], { signal });
    const managers = hosts.map((h) => h.props['configManager.autoStartManager'] as MoRef | undefined).filter((m): m is MoRef => !!m);
    const out = new Set<string>();
    if (!managers.length) return out;
    const cfgs = await pc.objects(managers, 'HostAutoStartManager', ['config'], { signal }).catch((e) => {
      if (isFault(e)) return [];
      throw e;
    });
    for (const c of cfgs) {
      const cfg = c.props.config as { defaults?: { enabled?: boolean }; powerInfo?: Array<{ key: MoRef; startAction: string }> } | undefined;
      if (!cfg?.defaults?.enabled) continue;
      for (const pi of cfg.powerInfo ?? []) if (pi.startAction === 'powerOn') out.add(pi.key.value);
    }
    return out;
  }

  async list(o: ListOptions = {}): Promise<Page<DomainSummary>> {
    const m = this.mirror;
    m?.start();
    if (m?.usable) {
      // Summaries are derived once per mirror generation, not per request (lists of thousands).
      if (this.listCache?.generation !== m.generation) {
        const autostart = m.autostart();
        this.listCache = { generation: m.generation, summaries: m.vms().map((v) => summaryOf(v, autostart)).sort(byNameThenRef) };
      }
      return pageOf(this.listCache.summaries, o);
    }
    return mapVi(async () => {
      const s = await this.conn.scope(o.signal);
      const [vms, autostart] = await Promise.all([
        this.conn.vi.pc.container(s.container, [{ type: 'VirtualMachine', pathSet: SUMMARY_PROPS }], { signal: o.signal }),
        this.lookupAutostart(o.signal),
      ]);
      return pageOf(
        vms.map((v) => summaryOf(v, autostart)),
        o,
      );
    });
  }

  /**
   * Finds a domain by UUID, numeric id or name (libvirt's lookupByUUID/ID/Name), with the given
   * properties. Throws no-domain.
   */
  async lookup(domain: string, pathSet: string[] = SUMMARY_PROPS, signal?: AbortSignal): Promise<ObjectProps> {
    const m = this.mirror;
    m?.start();
    const hit = m?.usable ? m.findVm(domain) : undefined;
    if (hit) {
      // From memory when it has every property asked for; else one read of the known VM.
      if (pathSet.every((p) => p in hit.props || m!.covers(p))) return { ref: hit.ref, props: Object.fromEntries(pathSet.filter((p) => p in hit.props).map((p) => [p, hit.props[p]])) };
      const o = await mapVi(() => this.objectIfExists(hit.ref, pathSet, signal));
      if (o) return o;
    }
    return mapVi(async () => {
      const s = await this.conn.scope(signal);
      const vi = this.conn.vi;
      let found: ObjectProps | undefined;
      if (UUID_RE.test(domain)) {
        const ref = await vi.call<MoRef | undefined>('FindByUuid', { _this: vi.serviceContent.searchIndex, uuid: normalizeUuid(domain), vmSearch: true }, { signal });
        if (ref) found = await this.objectIfExists(ref, pathSet, signal);
      } else if (/^\d+$/.test(domain)) {
        const forms = vi.isVCenter ? [`vm-${domain}`, domain] : [domain, `vm-${domain}`];
        for (const value of forms) {
          found = await this.objectIfExists({ type: 'VirtualMachine', value }, pathSet, signal);
          if (found) break;
        }
      }
      if (!found) {
        const all = await vi.pc.container(s.container, [{ type: 'VirtualMachine', pathSet: ['name'] }], { signal });
        const hit = all.find((v) => nameFromVi(String(v.props.name)) === domain);
        if (hit) found = await this.objectIfExists(hit.ref, pathSet, signal);
      }
      if (!found) throw new ApiError('no-domain', `no domain with matching name, UUID or id '${domain}'`);
      return found;
    });
  }

  private async objectIfExists(ref: MoRef, pathSet: string[], signal?: AbortSignal): Promise<ObjectProps | undefined> {
    try {
      return await this.conn.vi.pc.object(ref, pathSet, { signal });
    } catch (e) {
      if (isFault(e, 'ManagedObjectNotFound')) return undefined;
      throw e;
    }
  }

  /** The full domain: summary fields, definition from `config`, runtime and guest info. */
  async detail(domain: string, signal?: AbortSignal): Promise<DomainDetail> {
    const m = this.mirror;
    const hit = m?.usable ? m.findVm(domain) : undefined;
    const config = hit && m!.cachedConfig(hit.ref);
    // Everything but `config` is mirrored; a config still at its changeVersion needs no round trip.
    if (hit && config) return detailOf({ ref: hit.ref, props: { ...hit.props, config } }, m!.autostart());
    const [o, autostart] = await Promise.all([this.lookup(domain, DETAIL_PROPS, signal), mapVi(() => this.lookupAutostart(signal))]);
    m?.rememberConfig(o.ref, o.props.config);
    return detailOf(o, autostart);
  }

  async summary(domain: string, signal?: AbortSignal): Promise<DomainSummary> {
    const [o, autostart] = await Promise.all([this.lookup(domain, SUMMARY_PROPS, signal), mapVi(() => this.lookupAutostart(signal))]);
    return summaryOf(o, autostart);
  }
}

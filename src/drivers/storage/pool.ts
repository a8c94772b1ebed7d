// Storage pools (libvirt's esx storage driver): datastores (VMFS, NFS, local, ...) and, read-only,
// the static targets of the host's iSCSI adapters. Datastores have no UUID; libvirt takes the MD5
// of the datastore's mount path (/vmfs/volumes/<vmfs-uuid> or the NFS mount's hash) as the pool
// UUID, and the MD5 of the target's IQN for iSCSI: so the UUIDs are stable across restarts.
import { createHash } from 'node:crypto';
import type { ObjectProps } from '../../vi/property-collector.js';
import type { MoRef } from '../../vi/soap/encode.js';
import type { EsxConnection } from '../connection.js';
import { ApiError, mapVi } from '../errors.js';

export type PoolType = 'vmfs' | 'nfs' | 'local' | 'vsan' | 'vvol' | 'other' | 'iscsi';

export interface StoragePool {
  name: string;
  uuid: string;
  type: PoolType;
  state: 'running' | 'inaccessible';
  /** bytes */
  capacity: number;
  allocation: number;
  available: number;
  persistent: boolean;
  autostart: boolean;
  readOnly: boolean;
  /** Where the pool's data comes from (NFS server and export, iSCSI portal and IQN). */
  source: { host?: string; port?: number; dir?: string; device?: string; format?: string };
  /** Mount path on the host (e.g. /vmfs/volumes/<uuid>), when known. */
  target: string | null;
  /** Datastore MoRef value, null for iSCSI targets. */
  moref: string | null;
}

export const DATASTORE_PROPS = ['name', 'summary', 'info', 'host', 'browser'];

/** 16 bytes of MD5 in libvirt's UUID form. */
export function md5Uuid(s: string): string {
  const h = createHash('md5').update(s, 'utf8').digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const normUuid = (s: string) => s.toLowerCase().replace(/-/g, '');

type Obj = Record<string, unknown>;

function typeOf(summaryType: string, infoType: string): PoolType {
  if (infoType === 'VmfsDatastoreInfo' || summaryType === 'VMFS') return 'vmfs';
  if (infoType === 'NasDatastoreInfo' || /^NFS/i.test(summaryType)) return 'nfs';
  if (infoType === 'LocalDatastoreInfo') return 'local';
  if (summaryType === 'vsan') return 'vsan';
  if (summaryType === 'VVOL') return 'vvol';
  return 'other';
}

export function poolFromDatastore(o: ObjectProps, host: MoRef | undefined): StoragePool {
  const p = o.props;
  const summary = (p.summary ?? {}) as Obj;
  const info = (p.info ?? {}) as Obj;
  const mounts = (p.host ?? []) as Array<{ key: MoRef; mountInfo?: Obj }>;
  const mount = (mounts.find((m) => host && m.key?.value === host.value) ?? mounts[0])?.mountInfo ?? {};
  const type = typeOf(String(summary.type ?? ''), String(info._type ?? ''));
  const capacity = Number(summary.capacity ?? 0);
  const available = Number(summary.freeSpace ?? info.freeSpace ?? 0);
  // The mount path is what libvirt hashes; the simulator has none, its URL is the next best stable value.
  const target = (mount.path as string | undefined) ?? (info.url as string | undefined) ?? null;
  const nas = (info.nas ?? {}) as Obj;
  const source: StoragePool['source'] =
    type === 'nfs'
      ? { host: String(nas.remoteHost ?? ''), dir: String(nas.remotePath ?? ''), format: String(nas.type ?? 'nfs').toLowerCase() }
      : type === 'vmfs'
        ? { device: String(((info.vmfs ?? {}) as Obj).uuid ?? ''), format: 'vmfs' }
        : {};
  const accessible = summary.accessible !== false;
  return {
    name: String(p.name ?? summary.name ?? ''),
    uuid: md5Uuid(target ?? String(p.name)),
    type,
    state: accessible ? 'running' : 'inaccessible',
    capacity,
    allocation: Math.max(0, capacity - available),
    available,
    persistent: true,
    autostart: true,
    readOnly: mount.accessMode === 'readOnly',
    source,
    target,
    moref: o.ref.value,
  };
}

interface IscsiHba {
  _type?: string;
  device?: string;
  iScsiName?: string;
  configuredStaticTarget?: Array<{ address: string; port?: number; iScsiName: string }>;
}

export function poolsFromIscsi(hbas: IscsiHba[]): StoragePool[] {
  const out: StoragePool[] = [];
  for (const hba of hbas) {
    if (hba._type !== 'HostInternetScsiHba') continue;
    for (const t of hba.configuredStaticTarget ?? []) {
      out.push({
        name: t.iScsiName,
        uuid: md5Uuid(t.iScsiName),
        type: 'iscsi',
        state: 'running',
        capacity: 0,
        allocation: 0,
        available: 0,
        persistent: true,
        autostart: true,
        readOnly: true,
        source: { host: t.address, port: t.port ?? 3260, device: t.iScsiName },
        target: '/dev/disk/by-path',
        moref: null,
      });
    }
  }
  return out;
}

export class StoragePoolDriver {
  private dcPathCache: string | null = null;

  constructor(readonly conn: EsxConnection) {}

  /** Datastores of the scope's host (vCenter: that host's, else the datacenter's), then iSCSI targets. */
  async list(signal?: AbortSignal): Promise<StoragePool[]> {
    return mapVi(async () => {
      const { datastores, host } = await this.datastores(signal);
      const pools = datastores.map((d) => poolFromDatastore(d, host));
      pools.push(...(await this.iscsi(host, signal)));
      return pools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  /** By name, or by UUID (libvirt's storagePoolLookupByName/UUID). */
  async lookup(nameOrUuid: string, signal?: AbortSignal): Promise<StoragePool> {
    const pools = await this.list(signal);
    const byName = pools.find((p) => p.name === nameOrUuid);
    if (byName) return byName;
    if (UUID_RE.test(nameOrUuid)) {
      const byUuid = pools.find((p) => normUuid(p.uuid) === normUuid(nameOrUuid));
      if (byUuid) return byUuid;
    }
    throw new ApiError('no-storage-pool', `no storage pool with matching name or UUID '${nameOrUuid}'`);
  }

  /** A datastore pool (not iSCSI) with its MoRef and browser, for volume work. */
  async datastore(nameOrUuid: string, signal?: AbortSignal): Promise<{ pool: StoragePool; ref: MoRef; browser: MoRef }> {
    const pool = await this.lookup(nameOrUuid, signal);
    if (!pool.moref) throw new ApiError('operation-unsupported', `storage pool '${pool.name}' is an iSCSI target: its LUNs are not volumes esxgate manages`);
    const { datastores } = await this.datastores(signal);
    const d = datastores.find((x) => x.ref.value === pool.moref);
    if (!d) throw new ApiError('no-storage-pool', `storage pool '${nameOrUuid}' went away`);
    return { pool, ref: d.ref, browser: d.props.browser as MoRef };
  }

  /** virStoragePoolRefresh: RefreshDatastore, then the fresh figures. */
  async refresh(nameOrUuid: string, signal?: AbortSignal): Promise<StoragePool> {
    const { ref, pool } = await this.datastore(nameOrUuid, signal);
    await mapVi(() => this.conn.call('RefreshDatastore', { _this: ref }, { signal }), {
      ManagedObjectNotFound: ['no-storage-pool', `storage pool '${pool.name}' went away`],
    });
    return this.lookup(pool.name, signal);
  }

  /** The datacenter's inventory path, as the /folder endpoint's dcPath wants it. */
  async dcPath(signal?: AbortSignal): Promise<string> {
    if (this.dcPathCache !== null) return this.dcPathCache;
    const s = await this.conn.scope(signal);
    const root = this.conn.vi.serviceContent.rootFolder;
    const names: string[] = [];
    let ref: MoRef | undefined = s.datacenter;
    while (ref && ref.value !== root.value) {
      const p = (await mapVi(() => this.conn.vi.pc.object(ref!, ['name', 'parent'], { signal })))?.props ?? {};
      names.unshift(String(p.name ?? ''));
      ref = p.parent as MoRef | undefined;
    }
    this.dcPathCache = names.join('/');
    return this.dcPathCache;
  }

  private async datastores(signal?: AbortSignal): Promise<{ datastores: ObjectProps[]; host: MoRef | undefined }> {
    const s = await this.conn.scope(signal);
    if (s.host) {
      const refs = ((await this.conn.vi.pc.object(s.host, ['datastore'], { signal }))?.props.datastore ?? []) as MoRef[];
      return { datastores: await this.conn.vi.pc.objects(refs, 'Datastore', DATASTORE_PROPS, { signal }), host: s.host };
    }
    return { datastores: await this.conn.vi.pc.container(s.datastoreFolder, [{ type: 'Datastore', pathSet: DATASTORE_PROPS }], { signal }), host: undefined };
  }

  private async iscsi(host: MoRef | undefined, signal?: AbortSignal): Promise<StoragePool[]> {
    if (!host) return [];
    const ss = (await this.conn.vi.pc.object(host, ['configManager.storageSystem'], { signal }))?.props['configManager.storageSystem'] as MoRef | undefined;
    if (!ss) return [];
    const info = (await this.conn.vi.pc.object(ss, ['storageDeviceInfo.hostBusAdapter'], { signal }))?.props['storageDeviceInfo.hostBusAdapter'];
    return poolsFromIscsi((info ?? []) as IscsiHba[]);
  }
}

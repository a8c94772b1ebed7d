// Volumes (libvirt's esx storage driver, VMFS backend): the files of a datastore, found with the
// datastore browser. A volume's name is its path inside the datastore ('dir/disk.vmdk'), its path
// '[datastore] dir/disk.vmdk', its key the virtual disk UUID for .vmdk files (as libvirt), else
// the datastore path. Task-based changes return a `begin` for the operations registry.
import type { MoRef } from '../../vi/soap/encode.js';
import type { EsxConnection } from '../connection.js';
import { isFault } from '../../vi/errors.js';
import { ApiError, type ErrorCode, fromVi } from '../errors.js';
import type { OperationTarget } from '../operations/types.js';
import { type VolumePath, directoryPath, joinFolder, volumePath } from './paths.js';
import type { StoragePoolDriver } from './pool.js';
import type { RunTask } from './tasks.js';

export interface Volume {
  /** Path inside the datastore: 'dir/file.vmdk'. */
  name: string;
  pool: string;
  /** '[datastore] dir/file.vmdk' */
  path: string;
  /** Virtual disk UUID for .vmdk files, else the datastore path. */
  key: string;
  type: 'file';
  format: 'vmdk' | 'iso' | 'raw';
  /** bytes */
  capacity: number;
  allocation: number;
  modified: string | null;
}

interface FileInfo {
  _type?: string;
  path: string;
  fileSize?: number;
  modification?: string;
  capacityKb?: number;
}

interface SearchResult {
  folderPath?: string;
  file?: FileInfo[];
}

const SEARCH_SPEC = {
  details: { fileType: true, fileSize: true, modification: true, fileOwner: false },
  // Disks first so ESX reports them as VmDiskFileInfo with their capacity; FileQuery adds the rest.
  query: [{ _type: 'VmDiskFileQuery', details: { diskType: true, capacityKb: true, hardwareVersion: false } }, { _type: 'FileQuery' }],
};

export const isVmdk = (name: string) => name.toLowerCase().endsWith('.vmdk');

export interface CreateVolume {
  name: string;
  /** bytes */
  capacity: number;
  /** bytes: 0 = thin, equal to capacity (or absent) = thick, as libvirt. */
  allocation?: number;
  adapterType?: 'busLogic' | 'lsiLogic' | 'ide';
}

export interface Begun {
  target: OperationTarget;
  begin: () => Promise<MoRef>;
}

/** QueryVirtualDiskUuid answers '60 00 c2 9a ... 4b-0f ...'; libvirt shows it as a UUID. */
export function diskUuid(raw: string): string | null {
  const h = raw.replace(/[\s-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(h)) return null;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class VolumeDriver {
  constructor(
    readonly conn: EsxConnection,
    readonly pools: StoragePoolDriver,
    readonly runTask: RunTask,
  ) {}

  private notFound = (pool: string, name: string): Partial<Record<string, [ErrorCode, string]>> => ({
    FileNotFound: ['no-storage-vol', `no storage volume '${name}' in pool '${pool}'`],
    InvalidDatastore: ['no-storage-pool', `no storage pool '${pool}'`],
  });

  /** virStoragePoolListAllVolumes: every file below the datastore root (folders left out). */
  async list(poolName: string, signal?: AbortSignal): Promise<Volume[]> {
    const { pool, browser } = await this.pools.datastore(poolName, signal);
    const root = directoryPath(pool.name, '');
    const results = (await this.runTask({
      kind: 'volume.list',
      target: { type: 'storage-pool', name: pool.name, uuid: pool.uuid },
      begin: () => this.conn.call<MoRef>('SearchDatastoreSubFolders_Task', { _this: browser, datastorePath: root.full, searchSpec: { ...SEARCH_SPEC, matchPattern: ['*'] } }, { signal }),
      signal,
      internal: true,
      faults: this.notFound(pool.name, ''),
    })) as SearchResult[] | undefined;
    const out: Volume[] = [];
    for (const r of results ?? []) {
      for (const f of r.file ?? []) {
        // Folders are not volumes; an upload in progress is not one yet (transfer.ts's temporary name).
        if (f._type === 'FolderFileInfo' || f.path.endsWith('.esxgate-upload')) continue;
        out.push(this.volumeOf(pool.name, joinFolder(r.folderPath ?? '', f.path), f));
      }
    }
    await this.fillKeys(out, signal);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** virStorageVolLookupByName within a pool; `volume` may also be '[ds] path' of that pool or a disk UUID key. */
  async lookup(poolName: string, volume: string, signal?: AbortSignal): Promise<Volume> {
    const uuid = /^[0-9a-f-]{32,36}$/i.test(volume) ? diskUuid(volume) : null;
    if (uuid) {
      // A key, unless a file of that very name exists.
      const byKey = (await this.list(poolName, signal)).find((v) => v.key === uuid || v.name === volume);
      if (byKey) return byKey;
    }
    const { pool, browser } = await this.pools.datastore(poolName, signal);
    const vp = volumePath(pool.name, volume);
    const dir = directoryPath(pool.name, vp.directory);
    const r = (await this.runTask({
      kind: 'volume.lookup',
      target: { type: 'volume', name: vp.full },
      // matchPattern is a glob: a name with glob characters is searched as '*' and compared below.
      begin: () => this.conn.call<MoRef>('SearchDatastore_Task', { _this: browser, datastorePath: dir.full, searchSpec: { ...SEARCH_SPEC, matchPattern: [/[*?[\]\\]/.test(vp.file) ? '*' : vp.file] } }, { signal }),
      signal,
      internal: true,
      faults: this.notFound(pool.name, vp.path),
    })) as SearchResult | undefined;
    const f = (r?.file ?? []).find((x) => x.path === vp.file && x._type !== 'FolderFileInfo');
    if (!f) throw new ApiError('no-storage-vol', `no storage volume '${vp.path}' in pool '${pool.name}'`);
    const v = this.volumeOf(pool.name, vp.path, f);
    await this.fillKeys([v], signal);
    return v;
  }

  /** virStorageVolLookupByKey / ByPath: a disk UUID or '[datastore] path', searched in every pool. */
  async lookupByKey(key: string, signal?: AbortSignal): Promise<Volume> {
    if (key.startsWith('[')) {
      const ds = key.slice(1, key.indexOf(']'));
      return this.lookup(ds, key, signal);
    }
    const uuid = diskUuid(key);
    if (uuid) {
      for (const p of await this.pools.list(signal)) {
        if (!p.moref || p.state !== 'running') continue;
        const v = (await this.list(p.name, signal)).find((x) => x.key === uuid);
        if (v) return v;
      }
    }
    throw new ApiError('no-storage-vol', `no storage volume with key or path '${key}'`);
  }

  /** The validated path of a volume of an existing pool (for transfers and changes). */
  async resolve(poolName: string, volume: string, signal?: AbortSignal): Promise<{ vp: VolumePath; datacenter: MoRef }> {
    const { pool } = await this.pools.datastore(poolName, signal);
    return { vp: volumePath(pool.name, volume), datacenter: (await this.conn.scope(signal)).datacenter };
  }

  /** virStorageVolCreateXML for VMFS: a .vmdk made by CreateVirtualDisk_Task (parent folders created first). */
  async beginCreate(poolName: string, spec: CreateVolume, signal?: AbortSignal): Promise<Begun> {
    const { vp, datacenter } = await this.resolve(poolName, spec.name, signal);
    if (!isVmdk(vp.file)) throw new ApiError('invalid-arg', `volume name '${spec.name}' must end in '.vmdk': ESX creates virtual disks only`);
    const allocation = spec.allocation ?? spec.capacity;
    let diskType: string;
    if (allocation === 0) diskType = 'thin';
    else if (allocation === spec.capacity) diskType = 'thick';
    else throw new ApiError('invalid-arg', `allocation must be 0 (thin) or equal to capacity (thick); ESX has no partial preallocation`);
    if (spec.capacity < 1024) throw new ApiError('invalid-arg', 'capacity must be at least 1 KiB');
    return this.beginNewDisk(poolName, vp, datacenter, signal, (vdm) =>
      this.conn.call<MoRef>(
        'CreateVirtualDisk_Task',
        {
          _this: vdm,
          name: vp.full,
          datacenter,
          spec: { _type: 'FileBackedVirtualDiskSpec', diskType, adapterType: spec.adapterType ?? 'busLogic', capacityKb: Math.ceil(spec.capacity / 1024) },
        },
        { signal },
      ),
    );
  }

  /** virStorageVolCreateXMLFrom: CopyVirtualDisk_Task from another volume of the pool. */
  async beginClone(poolName: string, from: string, name: string, signal?: AbortSignal): Promise<Begun> {
    const source = await this.lookup(poolName, from, signal);
    const { vp, datacenter } = await this.resolve(poolName, name, signal);
    if (!isVmdk(source.name) || !isVmdk(vp.file)) throw new ApiError('invalid-arg', 'only virtual disks (.vmdk) can be cloned');
    return this.beginNewDisk(poolName, vp, datacenter, signal, (vdm) =>
      this.conn.call<MoRef>('CopyVirtualDisk_Task', { _this: vdm, sourceName: source.path, sourceDatacenter: datacenter, destName: vp.full, destDatacenter: datacenter, force: false }, { signal }),
    );
  }

  /** virStorageVolDelete: DeleteVirtualDisk_Task for disks (descriptor and extents), DeleteDatastoreFile_Task otherwise. */
  async beginDelete(poolName: string, volume: string, signal?: AbortSignal): Promise<Begun> {
    const v = await this.lookup(poolName, volume, signal);
    const { datacenter } = await this.conn.scope(signal);
    const sc = this.conn.vi.serviceContent;
    return {
      target: { type: 'volume', name: v.path },
      begin: isVmdk(v.name)
        ? () => this.conn.call<MoRef>('DeleteVirtualDisk_Task', { _this: this.vdm(), name: v.path, datacenter }, { signal })
        : () => this.conn.call<MoRef>('DeleteDatastoreFile_Task', { _this: sc.fileManager, name: v.path, datacenter }, { signal }),
    };
  }

  /** virStorageVolWipe: ZeroFillVirtualDisk_Task (virtual disks only). */
  async beginWipe(poolName: string, volume: string, signal?: AbortSignal): Promise<Begun> {
    const v = await this.lookup(poolName, volume, signal);
    if (!isVmdk(v.name)) throw new ApiError('operation-unsupported', `'${v.name}' is not a virtual disk; ESX can zero-fill .vmdk volumes only`);
    const { datacenter } = await this.conn.scope(signal);
    return {
      target: { type: 'volume', name: v.path },
      begin: () => this.conn.call<MoRef>('ZeroFillVirtualDisk_Task', { _this: this.vdm(), name: v.path, datacenter }, { signal }),
    };
  }

  /** Create and clone: refused when the target exists, its parent folders made, then `task` (given the VirtualDiskManager) begins. */
  private async beginNewDisk(poolName: string, vp: VolumePath, datacenter: MoRef, signal: AbortSignal | undefined, task: (vdm: MoRef) => Promise<MoRef>): Promise<Begun> {
    await this.mustNotExist(poolName, vp, signal);
    await this.makeParents(vp, datacenter, signal);
    const vdm = this.vdm();
    return { target: { type: 'volume', name: vp.full }, begin: () => task(vdm) };
  }

  /** libvirt refuses to create over an existing volume; so does this, before any task starts. */
  private async mustNotExist(poolName: string, vp: VolumePath, signal?: AbortSignal): Promise<void> {
    const found = await this.lookup(poolName, vp.path, signal).then(
      () => true,
      (e: unknown) => {
        if (e instanceof ApiError && e.code === 'no-storage-vol') return false;
        throw e;
      },
    );
    if (found) throw new ApiError('operation-invalid', `storage volume '${vp.path}' already exists in pool '${vp.datastore}'`);
  }

  private vdm(): MoRef {
    const vdm = this.conn.vi.serviceContent.virtualDiskManager;
    if (!vdm) throw new ApiError('operation-unsupported', 'this endpoint has no VirtualDiskManager');
    return vdm;
  }

  async makeParents(vp: VolumePath, datacenter: MoRef, signal?: AbortSignal): Promise<void> {
    if (!vp.directory) return;
    const fm = this.conn.vi.serviceContent.fileManager;
    try {
      await this.conn.call('MakeDirectory', { _this: fm, name: `[${vp.datastore}] ${vp.directory}`, datacenter, createParentDirectories: true }, { signal });
    } catch (e) {
      // An existing folder is what we want.
      if (!isFault(e, 'FileAlreadyExists')) throw fromVi(e);
    }
  }

  private volumeOf(pool: string, name: string, f: FileInfo): Volume {
    const size = Number(f.fileSize ?? 0);
    const disk = f._type === 'VmDiskFileInfo' || isVmdk(name);
    const path = `[${pool}] ${name}`;
    return {
      name,
      pool,
      path,
      key: path,
      type: 'file',
      format: disk ? 'vmdk' : /\.iso$/i.test(name) ? 'iso' : 'raw',
      capacity: f.capacityKb ? f.capacityKb * 1024 : size,
      allocation: size,
      modified: f.modification ?? null,
    };
  }

  /** Disk UUIDs as keys; a few queries at a time (a datastore can hold many disks). */
  private async fillKeys(vols: Volume[], signal?: AbortSignal): Promise<void> {
    const disks = vols.filter((v) => isVmdk(v.name) && !/-(flat|delta|sesparse|ctk|s\d{3})\.vmdk$/i.test(v.name));
    if (!disks.length) return;
    const { datacenter } = await this.conn.scope(signal);
    const vdm = this.conn.vi.serviceContent.virtualDiskManager;
    if (!vdm) return;
    for (let i = 0; i < disks.length; i += 4) {
      await Promise.all(
        disks.slice(i, i + 4).map(async (v) => {
          try {
            const raw = await this.conn.call<string>('QueryVirtualDiskUuid', { _this: vdm, name: v.path, datacenter }, { signal });
            v.key = diskUuid(raw) ?? v.path;
          } catch {
            // Not a readable disk descriptor (e.g. a plain file named .vmdk): keep the path as key.
          }
        }),
      );
    }
  }
}

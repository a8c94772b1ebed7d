// Storage: pools (datastores, iSCSI targets), volumes (datastore files) and file transfer.
import type { EsxConnection } from '../connection.js';
import type { Operations } from '../operations/types.js';
import { StoragePoolDriver } from './pool.js';
import { type RunTask, taskRunner } from './tasks.js';
import { TransferDriver } from './transfer.js';
import { VolumeDriver } from './volume.js';

export class StorageDriver {
  readonly pools: StoragePoolDriver;
  readonly volumes: VolumeDriver;
  readonly transfer: TransferDriver;
  readonly runTask: RunTask;

  /** `operations` is read lazily: the registry may be created after this driver. */
  constructor(conn: EsxConnection, operations: () => Operations) {
    this.runTask = taskRunner(conn, operations);
    this.pools = new StoragePoolDriver(conn);
    this.volumes = new VolumeDriver(conn, this.pools, this.runTask);
    this.transfer = new TransferDriver(conn, this.pools, this.volumes, this.runTask);
  }
}

export type { StoragePool } from './pool.js';
export type { Volume, CreateVolume } from './volume.js';

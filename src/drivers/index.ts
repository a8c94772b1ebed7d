// The drivers of one connection, decorated onto the Fastify instance as `app.drivers`.
import type { EsxConnection } from './connection.js';
import { DomainDriver } from './domain/index.js';
import type { EventBus } from './events.js';
import { Live, type LiveOptions } from './live.js';
import { InterfaceDriver } from './interface.js';
import { NetworkDriver } from './network.js';
import { NodeDriver } from './node.js';
import type { OperationsDriver } from './operations/index.js';
import { StorageDriver } from './storage/index.js';

export interface Drivers {
  conn: EsxConnection;
  domain: DomainDriver;
  node: NodeDriver;
  /** Update loop, events, operations and mirror (src/drivers/live.ts); live.close() before the connection. */
  live: Live;
  operations: OperationsDriver;
  events: EventBus;
  storage: StorageDriver;
  network: NetworkDriver;
  iface: InterfaceDriver;
}

export function createDrivers(conn: EsxConnection, liveOptions: LiveOptions = {}): Drivers {
  const live = new Live(conn, liveOptions);
  const domain = new DomainDriver(conn);
  domain.mirror = live.mirror;
  const network = new NetworkDriver(conn);
  return { conn, domain, node: new NodeDriver(conn), live, operations: live.operations, events: live.events, storage: new StorageDriver(conn, () => live.operations), network, iface: new InterfaceDriver(network) };
}

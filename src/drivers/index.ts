// The drivers of one connection, decorated onto the Fastify instance as `app.drivers`.
import type { EsxConnection } from './connection.js';
import { DomainDriver } from './domain/index.js';
import { NodeDriver } from './node.js';

export interface Drivers {
  conn: EsxConnection;
  domain: DomainDriver;
  node: NodeDriver;
}

export function createDrivers(conn: EsxConnection): Drivers {
  return { conn, domain: new DomainDriver(conn), node: new NodeDriver(conn) };
}

// Test helper: a loopback TCP proxy between the gateway and a simulator that injects network
// faults. The fault is fixed per connection when it is accepted; changing it closes the existing
// connections, so the gateway's keep-alive sockets pick up the new fault on their next request.
import { type Server, type Socket, createConnection, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyFault =
  | { kind: 'pass' }
  /** Every chunk from upstream is held back this long. */
  | { kind: 'delay'; ms: number }
  /** The connection is closed after this many bytes from upstream. */
  | { kind: 'truncate'; afterBytes: number }
  /** The connection is reset (RST) as soon as the client sends anything. */
  | { kind: 'reset' }
  /** Accepts and reads, never answers. */
  | { kind: 'blackhole' };

export interface FaultProxy {
  port: number;
  host: string;
  /** Connections accepted so far. */
  accepted: number;
  /** Connections currently open. */
  open(): number;
  setFault(f: ProxyFault): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }, initial: ProxyFault = { kind: 'pass' }): Promise<FaultProxy> {
  let fault = initial;
  const conns = new Set<Socket>();
  const track = (s: Socket) => {
    conns.add(s);
    s.once('close', () => conns.delete(s));
    s.on('error', () => {});
  };

  const server: Server = createServer((client) => {
    track(client);
    proxy.accepted++;
    const f = fault;
    if (f.kind === 'blackhole') {
      client.resume();
      return;
    }
    if (f.kind === 'reset') {
      client.once('data', () => client.resetAndDestroy());
      return;
    }
    const upstream = createConnection({ host: target.host, port: target.port });
    track(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once('close', closeBoth);
    upstream.once('close', closeBoth);
    client.pipe(upstream);
    let sent = 0;
    upstream.on('data', (chunk: Buffer) => {
      if (f.kind === 'delay') {
        upstream.pause();
        setTimeout(() => {
          if (!client.destroyed) client.write(chunk);
          upstream.resume();
        }, f.ms).unref();
      } else if (f.kind === 'truncate') {
        const room = f.afterBytes - sent;
        if (room > 0) client.write(room >= chunk.length ? chunk : chunk.subarray(0, room));
        sent += chunk.length;
        if (sent >= f.afterBytes) client.end(() => closeBoth());
      } else client.write(chunk);
    });
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy: FaultProxy = {
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    accepted: 0,
    open: () => conns.size,
    setFault(f) {
      fault = f;
      for (const s of conns) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of conns) s.destroy();
        server.close(() => r());
      }),
  };
  return proxy;
}

// A connection to one ESX host or vCenter: transport, ServiceContent, session pool and property
// collector. Connecting is lazy and single-flight, so the gateway starts while ESX is down and
// recovers when it comes back (an ESX restart invalidates every session: they are forgotten).
import { ViTransportError } from './errors.js';
import { PropertyCollector } from './property-collector.js';
import { type Credentials, SessionPool, type PoolOptions } from './session-pool.js';
import type { MoRef } from './soap/encode.js';
import { SoapTransport, type TransportOptions } from './soap/transport.js';

export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager?: MoRef;
  sessionManager?: MoRef;
  searchIndex?: MoRef;
  fileManager?: MoRef;
  virtualDiskManager?: MoRef;
  taskManager?: MoRef;
  about: {
    name: string;
    fullName: string;
    vendor: string;
    version: string;
    build: string;
    apiType: 'HostAgent' | 'VirtualCenter' | string;
    apiVersion: string;
    instanceUuid?: string;
    productLineId?: string;
    osType?: string;
  };
  [k: string]: unknown;
}

export interface ViClientOptions extends TransportOptions {
  credentials: Credentials;
  pool?: PoolOptions;
}

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };
/** The newest vim25 version whose schema this build carries (govmomi 0.24 = vSphere 7.0). */
const SCHEMA_VERSION = [7, 0];

/** `urn:vim25/X.Y` no newer than both the server's API and our schema: ESX trims replies to it. */
export function soapActionFor(apiVersion: string): string {
  const v = apiVersion.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const newer = v[0]! > SCHEMA_VERSION[0]! || (v[0] === SCHEMA_VERSION[0] && (v[1] ?? 0) > SCHEMA_VERSION[1]!);
  return `urn:vim25/${newer ? SCHEMA_VERSION.join('.') : apiVersion}`;
}

export class ViClient {
  readonly transport: SoapTransport;
  private state: { sc: ServiceContent; pool: SessionPool; pc: PropertyCollector } | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly opts: ViClientOptions) {
    this.transport = new SoapTransport(opts);
  }

  get connected(): boolean {
    return this.state !== null;
  }

  /** Retrieves the ServiceContent and sets up the pool, once; later callers share the attempt. */
  async connect(signal?: AbortSignal): Promise<void> {
    if (this.state) return;
    if (this.closed) throw new ViTransportError('aborted', 'the connection is closed');
    this.connecting ??= (async () => {
      try {
        const r = await this.transport.call('RetrieveServiceContent', { _this: SERVICE_INSTANCE }, { signal, soapAction: 'urn:vim25/6.5' });
        const sc = r.value as ServiceContent;
        if (!sc?.about || !sc.sessionManager) throw new ViTransportError('protocol', 'the endpoint sent no usable ServiceContent');
        const soapAction = soapActionFor(sc.about.apiVersion);
        const pool = new SessionPool(this.transport, sc.sessionManager, this.opts.credentials, { ...this.opts.pool, soapAction });
        this.state = { sc, pool, pc: new PropertyCollector(pool, sc.propertyCollector, sc.viewManager) };
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  private get s() {
    if (!this.state) throw new ViTransportError('unreachable', 'not connected to ESX yet');
    return this.state;
  }
  get serviceContent(): ServiceContent {
    return this.s.sc;
  }
  get pool(): SessionPool {
    return this.s.pool;
  }
  get pc(): PropertyCollector {
    return this.s.pc;
  }
  get isVCenter(): boolean {
    return this.s.sc.about.apiType === 'VirtualCenter';
  }

  /**
   * One vim25 call on a pooled session (connecting first if needed). After an ESX restart the
   * sessions are gone there: the NotAuthenticated that follows re-logs each one in, so no session
   * is ever abandoned on the server.
   */
  async call<T = unknown>(method: string, params: Record<string, unknown>, o: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T> {
    await this.connect(o.signal);
    return this.s.pool.call<T>(method, params, o);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.state?.pool.close();
    await this.transport.close();
  }
}

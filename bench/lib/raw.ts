// The raw SOAP baseline: what a client talking vim25 directly must minimally do, using the
// project's own ViClient/transport (so both sides share the XML codec). Each baseline call is one
// RetrievePropertiesEx over a ContainerView created beforehand (a raw client keeps its view), and
// includes request encoding, the HTTP round trip and decoding the XML into JS objects - but no
// conversion into libvirt terms and no JSON.
import type { Sim } from '../../test/helpers/esxsim.js';
import { ViClient } from '../../src/vi/client.js';
import type { Session } from '../../src/vi/session-pool.js';
import type { MoRef } from '../../src/vi/soap/encode.js';

export interface Raw {
  vi: ViClient;
  /** The one session every baseline call uses (views and filters are bound to it). */
  session: Session;
  close(): Promise<void>;
}

export async function rawClient(sim: Sim, o: { connections?: number; sessions?: number } = {}): Promise<Raw> {
  const vi = new ViClient({
    origin: new URL(sim.url).origin,
    path: '/sdk',
    noVerify: true,
    connections: o.connections ?? 16,
    credentials: { username: sim.username, password: sim.password },
    pool: { size: o.sessions ?? 1, keepAliveMs: 0 },
  });
  await vi.connect();
  // Lease a session once and keep it: the pool logs it in on its first call.
  let session!: Session;
  await vi.pool.withSession(async (s) => {
    session = s;
    await vi.pool.invoke(s, 'CurrentTime', { _this: { type: 'ServiceInstance', value: 'ServiceInstance' } });
  });
  return { vi, session, close: () => vi.close() };
}

/** A ContainerView of `type` over the root folder (recursive), on the baseline's session. */
export function createView(raw: Raw, type: string): Promise<MoRef> {
  const sc = raw.vi.serviceContent;
  return raw.vi.pool.invoke<MoRef>(raw.session, 'CreateContainerView', { _this: sc.viewManager, container: sc.rootFolder, type: [type], recursive: true });
}

/** The specSet of one RetrievePropertiesEx of `pathSet` of every `type` object in `view`. */
export function viewSpec(view: MoRef, type: string, pathSet: string[]): unknown[] {
  return [
    {
      propSet: [{ type, all: false, pathSet }],
      objectSet: [{ obj: view, skip: true, selectSet: [{ _type: 'TraversalSpec', name: 'view', type: 'ContainerView', path: 'view', skip: false }] }],
    },
  ];
}

export interface ObjectContent {
  obj: MoRef;
  propSet?: Array<{ name: string; val: unknown }>;
}

/** One RetrievePropertiesEx; the simulator sends everything in one page unless -page-size is set. */
export async function retrieve(raw: Raw, specSet: unknown[], session: Session = raw.session): Promise<ObjectContent[]> {
  const r = await raw.vi.pool.invoke<{ objects?: ObjectContent[]; token?: string } | undefined>(session, 'RetrievePropertiesEx', {
    _this: raw.vi.serviceContent.propertyCollector,
    specSet,
    options: {},
  });
  if (r?.token) throw new Error('the simulator paged the baseline result; run it without -page-size');
  return r?.objects ?? [];
}

/** The specSet of one RetrievePropertiesEx of `pathSet` of one object. */
export function objectSpec(obj: MoRef, pathSet: string[]): unknown[] {
  return [{ propSet: [{ type: obj.type, all: false, pathSet }], objectSet: [{ obj, skip: false }] }];
}

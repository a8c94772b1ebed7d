// The update loop against a scripted session (the simulator never sends a truncated UpdateSet):
// a truncated set is delivered and the next WaitForUpdatesEx continues from its version at once,
// without a resync; an update for a filter the loop does not know is ignored.
import { afterEach, describe, expect, it, vi } from 'vitest';

type Handler = (method: string, params: Record<string, unknown>, signal?: AbortSignal) => Promise<unknown>;
const script: { handler: Handler } = { handler: async () => undefined };

vi.mock('../../../src/vi/session-pool.js', () => ({
  SessionPool: class {
    logins = 1;
    call(method: string, params: Record<string, unknown>, o: { signal?: AbortSignal } = {}) {
      return script.handler(method, params, o.signal);
    }
    reset() {}
    async close() {}
  },
}));

const { UpdateLoop } = await import('../../../src/vi/update-loop.js');
const { ViFault } = await import('../../../src/vi/errors.js');

const ref = (type: string, value: string) => ({ type, value });
const fakeVi = {
  connect: async () => {},
  serviceContent: { sessionManager: ref('SessionManager', 'sm'), propertyCollector: ref('PropertyCollector', 'pc'), viewManager: ref('ViewManager', 'vm'), about: { apiVersion: '7.0' } },
  transport: {},
} as never;

/** A WaitForUpdatesEx that never answers (until the loop closes). */
const forever = (signal?: AbortSignal) =>
  new Promise((_, reject) => signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true }));

let loop: InstanceType<typeof UpdateLoop> | undefined;
afterEach(async () => {
  await loop?.close();
  loop = undefined;
});

describe('UpdateLoop', () => {
  it('delivers a truncated update set and continues from its version without a resync', async () => {
    const versions: string[] = [];
    const seen: string[] = [];
    let waits = 0;
    let allDelivered!: () => void;
    const delivered = new Promise<void>((r) => (allDelivered = r));
    script.handler = async (method, params, signal) => {
      if (method === 'CreatePropertyCollector') return ref('PropertyCollector', 'session-pc');
      if (method === 'CreateFilter') return ref('PropertyFilter', 'f1');
      if (method !== 'WaitForUpdatesEx') throw new Error(`unexpected ${method}`);
      versions.push(String(params.version));
      waits++;
      const enter = (v: string) => ({ obj: ref('VirtualMachine', v), kind: 'enter', changeSet: [{ name: 'name', op: 'assign', val: v }] });
      if (waits === 1) return { version: '1', truncated: true, filterSet: [{ filter: ref('PropertyFilter', 'f1'), objectSet: [enter('vm-1')] }] };
      if (waits === 2)
        return {
          version: '2',
          filterSet: [
            { filter: ref('PropertyFilter', 'f1'), objectSet: [enter('vm-2')] },
            { filter: ref('PropertyFilter', 'unknown'), objectSet: [enter('vm-x')] },
          ],
        };
      allDelivered();
      return forever(signal);
    };
    loop = new UpdateLoop(fakeVi, { credentials: { username: 'u', password: 'p' } });
    await loop.watch({
      spec: { propSet: [], objectSet: [] },
      onUpdate: (ups) => seen.push(...ups.map((u) => u.obj.value)),
      onResync: () => seen.push('resync'),
    });
    await delivered;
    expect(seen).toEqual(['vm-1', 'vm-2']);
    // The wait after the truncated set asked for the rest (version "1"), then went on from "2".
    expect(versions).toEqual(['', '1', '2']);
    expect(loop.round).toBe(2);
    expect(loop.resyncs).toBe(0);
    expect(loop.healthy).toBe(true);
  });

  it('re-creates the collector and filters after a fault and tells watches to resync', async () => {
    let collectors = 0;
    let waits = 0;
    let resynced!: () => void;
    const resync = new Promise<void>((r) => (resynced = r));
    script.handler = async (method, _params, signal) => {
      if (method === 'CreatePropertyCollector') return ref('PropertyCollector', `pc-${++collectors}`);
      if (method === 'CreateFilter') return ref('PropertyFilter', `f-${collectors}`);
      waits++;
      if (waits === 1) throw new ViFault('ManagedObjectNotFound', 'collector gone');
      return forever(signal);
    };
    loop = new UpdateLoop(fakeVi, { credentials: { username: 'u', password: 'p' } });
    await loop.watch({ spec: { propSet: [], objectSet: [] }, onUpdate: () => {}, onResync: () => resynced() });
    await resync;
    expect(collectors).toBe(2);
    expect(loop.resyncs).toBe(1);
  });
});

// The foundation against a standalone ESX simulator with 60 VMs: listing, paging, lookups,
// problem+json errors, connection and node information.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';

let sim: Sim;
let gw: Gateway;
const get = async (path: string) => {
  const r = await fetch(gw.url + path);
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as any };
};

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 60 });
  gw = await startGateway(sim);
});
afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

describe('standalone ESX', () => {
  it('reports the connection and the node', async () => {
    const c = await get('/v1/connection');
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ type: 'esx', autoAnswer: false, noVerify: true, poolSize: 4 });
    expect(c.body.product).toMatch(/ESX/);
    expect(c.body.uri).toMatch(/^esx:\/\/user@127\.0\.0\.1:\d+\//);
    const n = await get('/v1/node');
    expect(n.status).toBe(200);
    expect(n.body.memory).toBeGreaterThan(0);
    expect(n.body.cpus).toBeGreaterThan(0);
    expect(n.body.cpus).toBe(n.body.nodes * n.body.sockets * n.body.cores * n.body.threads);
  });

  it('lists every VM as a domain with libvirt states', async () => {
    const r = await get('/v1/domains');
    expect(r.status).toBe(200);
    expect(r.body.total).toBeGreaterThanOrEqual(60);
    expect(r.body.items).toHaveLength(r.body.total);
    const names = r.body.items.map((d: any) => d.name);
    expect(names).toEqual([...names].sort());
    for (const d of r.body.items) {
      expect(d.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(['running', 'paused', 'shutoff']).toContain(d.state);
      expect(d.memory % 1024).toBe(0);
      expect(d.vcpus).toBeGreaterThan(0);
      expect(d.persistent).toBe(true);
      if (d.state === 'shutoff') expect(d.id).toBeNull();
      else expect(d.id).toBeGreaterThan(0);
    }
  });

  it('pages with a cursor without gaps or duplicates', async () => {
    const all = (await get('/v1/domains')).body.items.map((d: any) => d.moref);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await get(`/v1/domains?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...r.body.items.map((d: any) => d.moref));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 7));
  });

  it('filters by state', async () => {
    const all = (await get('/v1/domains')).body.items;
    const active = (await get('/v1/domains?state=active')).body.items;
    const inactive = (await get('/v1/domains?state=inactive')).body.items;
    expect(active.length + inactive.length).toBe(all.length);
    expect(active.every((d: any) => d.state === 'running' || d.state === 'paused')).toBe(true);
    expect(inactive.every((d: any) => d.state === 'shutoff')).toBe(true);
  });

  it('looks a domain up by name, UUID and id', async () => {
    const d = (await get('/v1/domains?state=active')).body.items[3];
    for (const key of [d.name, d.uuid, d.uuid.toUpperCase(), String(d.id)]) {
      const r = await get(`/v1/domains/${encodeURIComponent(key)}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ name: d.name, uuid: d.uuid, moref: d.moref });
    }
  });

  it('answers problem+json for unknown domains, bad queries and unknown routes', async () => {
    for (const key of ['no-such-vm', '00000000-0000-0000-0000-000000000000', '999999']) {
      const r = await get(`/v1/domains/${key}`);
      expect(r.status).toBe(404);
      expect(r.type).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 404, code: 'no-domain', type: 'urn:esxgate:problem:no-domain' });
      expect(r.body.detail).toContain(key);
    }
    const bad = await get('/v1/domains?state=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid-arg');
    expect(bad.body.detail).toMatch(/state/);
    expect((await get('/v1/domains?limit=0')).body.code).toBe('invalid-arg');
    expect((await get('/v1/domains?cursor=garbage')).body.code).toBe('invalid-arg');
    const none = await get('/v1/nothing-here');
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('not-found');
  });

  it('follows RetrievePropertiesEx continuation tokens (pages of 7)', async () => {
    const { conn } = gw.app.drivers;
    const s = await conn.scope();
    const whole = await conn.vi.pc.container(s.container, [{ type: 'VirtualMachine', pathSet: ['name'] }]);
    const paged = await conn.vi.pc.container(s.container, [{ type: 'VirtualMachine', pathSet: ['name'] }], { maxObjects: 7 });
    expect(whole.length).toBeGreaterThanOrEqual(60);
    expect(paged.map((o) => o.ref.value).sort()).toEqual(whole.map((o) => o.ref.value).sort());
  });

  it('is healthy and ready', async () => {
    expect((await get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await get('/readyz')).body).toEqual({ status: 'ready' });
  });
});

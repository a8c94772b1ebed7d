// Storage pools and volume listing/lookup against esxsim (ESX host, one datastore LocalDS_0).
import { describe, expect, it } from 'vitest';
import { md5Uuid } from '../../../src/drivers/storage/pool.js';
import { startGateway } from '../../helpers/gateway.js';
import { useSimGateway } from '../../helpers/sim-gateway.js';

const ctx = useSimGateway({ esx: true, vms: 1 });

const get = (url: string, headers: Record<string, string> = {}) => ctx.gw.app.inject({ method: 'GET', url, headers });

describe('storage pools', () => {
  it('lists the datastore with capacity figures and a UUID derived from its mount path', async () => {
    const r = await get('/v1/storage-pools');
    expect(r.statusCode).toBe(200);
    const items = r.json().items;
    expect(items.map((p: { name: string }) => p.name)).toEqual(['LocalDS_0']);
    const p = items[0];
    expect(p.state).toBe('running');
    expect(p.capacity).toBeGreaterThan(0);
    expect(p.allocation + p.available).toBe(p.capacity);
    expect(p.target).toBeTruthy();
    expect(p.uuid).toBe(md5Uuid(p.target));
  });

  it('looks a pool up by name and by UUID (with or without dashes), stable across gateways', async () => {
    const byName = (await get('/v1/storage-pools/LocalDS_0')).json();
    const byUuid = await get(`/v1/storage-pools/${byName.uuid}`);
    expect(byUuid.statusCode).toBe(200);
    expect(byUuid.json().name).toBe('LocalDS_0');
    expect((await get(`/v1/storage-pools/${byName.uuid.replace(/-/g, '').toUpperCase()}`)).json().name).toBe('LocalDS_0');
    const gw2 = await startGateway(ctx.sim, { listen: false });
    try {
      expect((await gw2.app.inject(`/v1/storage-pools/LocalDS_0`)).json().uuid).toBe(byName.uuid);
    } finally {
      await gw2.close();
    }
  });

  it('answers 404 no-storage-pool for an unknown pool, everywhere', async () => {
    for (const url of ['/v1/storage-pools/nope', '/v1/storage-pools/nope/xml', '/v1/storage-pools/nope/volumes', '/v1/storage-pools/nope/volumes/a.vmdk']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.json().code).toBe('no-storage-pool');
    }
    const r = await ctx.gw.app.inject({ method: 'POST', url: '/v1/storage-pools/00000000-0000-0000-0000-000000000000/actions/refresh' });
    expect(r.json().code).toBe('no-storage-pool');
  });

  it('gives libvirt pool XML via /xml and via Accept', async () => {
    const r = await get('/v1/storage-pools/LocalDS_0/xml');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/xml/);
    const p = (await get('/v1/storage-pools/LocalDS_0')).json();
    expect(r.body).toContain("<pool type='dir'>");
    expect(r.body).toContain('<name>LocalDS_0</name>');
    expect(r.body).toContain(`<uuid>${p.uuid}</uuid>`);
    expect(r.body).toContain(`<capacity unit='bytes'>${p.capacity}</capacity>`);
    expect(r.body).toContain(`<path>${p.target}</path>`);
    const a = await get('/v1/storage-pools/LocalDS_0', { accept: 'application/xml' });
    expect(a.headers['content-type']).toMatch(/application\/xml/);
    expect(a.body).toContain("<pool type='dir'>");
  });

  it('refreshes a pool (RefreshDatastore) and answers its figures', async () => {
    const r = await ctx.gw.app.inject({ method: 'POST', url: '/v1/storage-pools/LocalDS_0/actions/refresh' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().name).toBe('LocalDS_0');
  });

  it('has no iSCSI targets in the simulator (none configured there)', async () => {
    const items = (await get('/v1/storage-pools')).json().items;
    expect(items.filter((p: { type: string }) => p.type === 'iscsi')).toEqual([]);
  });
});

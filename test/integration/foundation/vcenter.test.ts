// vCenter (vpx://): domains across the inventory or scoped by the URI path, lookups, mismatches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';

let sim: Sim;
const open: Gateway[] = [];
const gateway = async (o: Parameters<typeof startGateway>[1]) => {
  const g = await startGateway(sim, { vpx: true, ...o, env: { ESXGATE_MIRROR: '0', ...o?.env } });
  open.push(g);
  return g;
};
const get = async (g: Gateway, path: string) => {
  const r = await fetch(g.url + path);
  return { status: r.status, body: (await r.json()) as any };
};

beforeAll(async () => {
  sim = await startSim({ vms: 2, extraArgs: ['-folder', '0'] });
});
afterAll(async () => {
  for (const g of open) await g.close();
  await sim?.stop();
});

describe('vCenter', () => {
  it('lists the whole inventory without a path', async () => {
    const g = await gateway({});
    const c = await get(g, '/v1/connection');
    expect(c.body).toMatchObject({ type: 'vpx', hostname: null });
    expect(c.body.product).toMatch(/vCenter/);
    const r = await get(g, '/v1/domains');
    expect(r.status).toBe(200);
    const names: string[] = r.body.items.map((d: any) => d.name);
    expect(names.some((n) => n.startsWith('DC0_H0_'))).toBe(true);
    expect(names.some((n) => n.startsWith('DC0_C0_'))).toBe(true);
    const d = r.body.items.find((x: any) => x.id !== null);
    expect(d.moref).toBe(`vm-${d.id}`);
    for (const key of [d.name, d.uuid, String(d.id)]) expect((await get(g, `/v1/domains/${encodeURIComponent(key)}`)).body.moref).toBe(d.moref);
    expect((await get(g, '/v1/node')).status).toBe(200);
  });

  // -folder 0: the datacenter sits in the root folder and the hosts in its host folder.
  it('scopes to the datacenter, the cluster or a host named in the path', async () => {
    const all = (await get(await gateway({}), '/v1/domains')).body.items.map((d: any) => d.name);
    const dc = (await get(await gateway({ path: '/DC0' }), '/v1/domains')).body.items.map((d: any) => d.name);
    expect(dc).toEqual(all);
    const cluster = await gateway({ path: '/DC0/DC0_C0' });
    const inCluster = (await get(cluster, '/v1/domains')).body.items.map((d: any) => d.name);
    expect(inCluster.length).toBeGreaterThan(0);
    expect(inCluster.every((n: string) => n.startsWith('DC0_C0_'))).toBe(true);
    const host = await gateway({ path: '/DC0/DC0_H0' });
    const onHost = (await get(host, '/v1/domains')).body.items.map((d: any) => d.name);
    expect(onHost.length).toBeGreaterThan(0);
    expect(onHost.every((n: string) => n.startsWith('DC0_H0_'))).toBe(true);
    expect((await get(host, '/v1/connection')).body.hostname).toBeTruthy();
    // A VM outside the scope is not found.
    const outside = inCluster[0];
    expect((await get(host, `/v1/domains/${encodeURIComponent(outside)}`)).body.code).toBe('no-domain');
  });

  it('explains a path that names nothing and a scheme that does not match', async () => {
    const bad = await get(await gateway({ path: '/NoSuchDC' }), '/v1/domains');
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/NoSuchDC/);
    const wrong = await get(await gateway({ vpx: false }), '/v1/domains');
    expect(wrong.status).toBe(400);
    expect(wrong.body.detail).toMatch(/vpx:\/\//);
  });
});

// Sessions: the pool stays within its size, a session terminated on the server is re-logged in,
// a bad password is auth-failed, and a stopped ESX is a 503 until it is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViClient } from '../../../src/vi/client.js';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';
import { rawClient, sessionList, terminateOthers } from '../../helpers/vi.js';

let sim: Sim;
let gw: Gateway;
let raw: ViClient;
const get = async (g: Gateway, path: string) => {
  const r = await fetch(g.url + path);
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as any };
};

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 4 });
  gw = await startGateway(sim, { env: { ESXGATE_POOL_SIZE: '3', ESXGATE_MIRROR: '0' } });
  raw = await rawClient(sim);
});
afterAll(async () => {
  await gw?.close();
  await raw?.close();
  await sim?.stop();
});

describe('session pool', () => {
  it('never holds more sessions on ESX than its size, even under concurrency', async () => {
    const before = (await sessionList(raw)).length;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => get(gw, i % 2 ? '/v1/domains' : '/v1/node')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = (await sessionList(raw)).length;
    expect(after - before).toBeGreaterThan(0);
    // Pool size 3, plus at most one update-loop session.
    expect(after - before).toBeLessThanOrEqual(3 + 1);
    expect(gw.app.drivers.conn.vi.pool.stats()).toMatchObject({ size: 3 });
    expect(gw.app.drivers.conn.vi.pool.stats().open).toBeLessThanOrEqual(3);
  });

  it('logs in again, invisibly, after ESX terminated its sessions', async () => {
    expect((await get(gw, '/v1/domains')).status).toBe(200);
    const relogins = gw.app.drivers.conn.vi.pool.stats().relogins;
    expect(await terminateOthers(raw)).toBeGreaterThan(0);
    const results = await Promise.all(Array.from({ length: 6 }, () => get(gw, '/v1/domains')));
    expect(results.map((r) => [r.status, r.body.detail])).toEqual(Array(6).fill([200, undefined]));
    expect(gw.app.drivers.conn.vi.pool.stats().relogins).toBeGreaterThan(relogins);
  });

  it('a read on a terminated session gives the whole object, never a property-less half object', async () => {
    // A lookup by moref number reads the VM directly (no container view that would fault first):
    // the simulator answers a dead session's RetrievePropertiesEx with a NotAuthenticated
    // missingSet per property, which must mean "log in again", not "a VM without name or state".
    const list = (await get(gw, '/v1/domains')).body.items as Array<{ name: string; moref: string; state: string }>;
    const vm = list.find((d) => /^(vm-)?\d+$/.test(d.moref))!;
    expect(vm).toBeDefined();
    const num = vm.moref.replace(/^vm-/, '');
    for (let i = 0; i < 3; i++) {
      expect(await terminateOthers(raw)).toBeGreaterThan(0);
      const r = await get(gw, `/v1/domains/${num}`);
      expect([r.status, r.body.name, r.body.state]).toEqual([200, vm.name, vm.state]);
    }
    const pc = gw.app.drivers.conn.vi.pc;
    await terminateOthers(raw);
    const o = await pc.object({ type: 'VirtualMachine', value: vm.moref }, ['name', 'runtime.powerState']);
    expect(o?.props.name).toBe(vm.name);
    expect(o?.missing).toBeUndefined();
  });

  it('logs its sessions out when the app closes', async () => {
    const g = await startGateway(sim, { env: { ESXGATE_MIRROR: '0' } });
    const before = (await sessionList(raw)).length;
    expect((await get(g, '/v1/node')).status).toBe(200);
    expect((await sessionList(raw)).length).toBeGreaterThan(before);
    await g.close();
    expect((await sessionList(raw)).length).toBeLessThanOrEqual(before);
  });
});

describe('failures are clear problems', () => {
  it('maps a wrong password to auth-failed, on every route and on /readyz', async () => {
    const bad = await startGateway(sim, { password: 'wrong-password', env: { ESXGATE_MIRROR: '0' } });
    try {
      const r = await get(bad, '/v1/domains');
      expect(r.status).toBe(502);
      expect(r.type).toMatch(/problem\+json/);
      expect(r.body).toMatchObject({ code: 'auth-failed', fault: 'InvalidLogin' });
      expect(r.body.detail).toMatch(/credentials/);
      expect(JSON.stringify(r.body)).not.toContain('wrong-password');
      expect((await get(bad, '/readyz')).status).toBe(503);
    } finally {
      await bad.close();
    }
  });

  it('answers 503 while ESX is down and recovers when it is back', async () => {
    const s = await startSim({ esx: true, vms: 2 });
    const g = await startGateway(s, { env: { ESXGATE_MIRROR: '0', ESXGATE_UPSTREAM_TIMEOUT_MS: '3000' } });
    try {
      expect((await get(g, '/v1/domains')).status).toBe(200);
      s.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      const down = await get(g, '/v1/domains');
      expect([502, 503]).toContain(down.status);
      expect(down.type).toMatch(/problem\+json/);
      expect(['upstream-unavailable', 'upstream-error']).toContain(down.body.code);
      const again = await get(g, '/v1/domains');
      expect(again.status).toBe(503);
      expect(again.body.code).toBe('upstream-unavailable');
      expect((await get(g, '/readyz')).status).toBe(503);
      expect((await get(g, '/healthz')).status).toBe(200);
      await s.restart();
      let ok = 0;
      for (let i = 0; i < 50 && !ok; i++) {
        if ((await get(g, '/v1/domains')).status === 200) ok = 1;
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect(ok).toBe(1);
      expect((await get(g, '/readyz')).status).toBe(200);
    } finally {
      await g.close();
      await s.stop();
    }
  });

  it('refuses a self-signed ESX certificate unless told to trust it', async () => {
    const strict = await startGateway(sim, { query: '', env: { ESXGATE_MIRROR: '0' } });
    try {
      const r = await get(strict, '/v1/domains');
      expect(r.status).toBe(502);
      expect(r.body.code).toBe('upstream-tls');
      expect(r.body.detail).toMatch(/cacert|no_verify/);
    } finally {
      await strict.close();
    }
    const trusted = await startGateway(sim, { query: `cacert=${encodeURIComponent(sim.certPath!)}`, env: { ESXGATE_MIRROR: '0' } });
    try {
      expect((await get(trusted, '/v1/domains')).status).toBe(200);
    } finally {
      await trusted.close();
    }
  });
});

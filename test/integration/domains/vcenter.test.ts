// The domain routes against a vCenter simulator: inventory-wide listing, scoping by the URI path,
// lookups, actions, define into the scope's resource pool, snapshots and undefine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';

let sim: Sim;
let gw: Gateway;
let scoped: Gateway;

const call = (g: Gateway, method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, body?: object) => g.app.inject({ method, url, ...(body ? { payload: body } : {}) });

beforeAll(async () => {
  // vcsim's default inventory: DC0 with cluster DC0_C0 (hosts) and standalone host DC0_H0; 1 VM per host.
  sim = await startSim({ vms: 1, extraArgs: ['-cluster', '1', '-host', '2', '-standalone-host', '1'] });
  gw = await startGateway(sim, { vpx: true, listen: false });
  scoped = await startGateway(sim, { vpx: true, path: '/DC0/DC0_H0', listen: false });
});
afterAll(async () => {
  await scoped?.close();
  await gw?.close();
  await sim?.stop();
});

describe('vCenter (vpx://)', () => {
  it('lists domains across the inventory, and only the scoped host ones with a path', async () => {
    const all = (await call(gw, 'GET', '/v1/domains')).json();
    const some = (await call(scoped, 'GET', '/v1/domains')).json();
    expect(all.total).toBeGreaterThan(some.total);
    expect(some.total).toBeGreaterThan(0);
    for (const d of some.items) expect(all.items.map((x: { name: string }) => x.name)).toContain(d.name);
  });

  it('looks a domain up by name, UUID and id, with its definition', async () => {
    const d = (await call(gw, 'GET', '/v1/domains')).json().items.find((x: { state: string }) => x.state === 'running');
    for (const key of [d.name, d.uuid, String(d.id)]) {
      const res = await call(gw, 'GET', `/v1/domains/${encodeURIComponent(key)}`);
      expect(res.statusCode, key).toBe(200);
      expect(res.json()).toMatchObject({ name: d.name, moref: d.moref, definition: { name: d.name, vmware: { moref: d.moref } } });
    }
    expect(d.moref).toMatch(/^vm-\d+$/);
  });

  it('defines in the scoped host, runs actions and snapshots, and undefines', async () => {
    const def = await call(scoped, 'POST', '/v1/domains', { name: 'vc-new', memory: 32768, devices: { interfaces: [{ type: 'bridge', source: { bridge: 'VM Network' } }] } });
    expect(def.statusCode, def.body).toBe(201);
    // The simulator does not add new VMs to existing container views below a host (vCenter does),
    // so placement is checked on the VM itself.
    const ref = { type: 'VirtualMachine', value: def.json().moref };
    const hostOf = async (g: Gateway) => (await g.app.drivers.conn.host()).value;
    const placed = await gw.app.drivers.conn.vi.pc.object(ref, ['runtime.host']);
    expect((placed?.props['runtime.host'] as { value: string }).value).toBe(await hostOf(scoped));
    expect((await call(gw, 'POST', '/v1/domains', { name: 'vc-new', memory: 32768 })).statusCode).toBe(409);
    const start = await call(gw, 'POST', '/v1/domains/vc-new/actions/start?wait=30');
    expect(start.json().status, start.body).toBe('succeeded');
    expect((await call(gw, 'GET', '/v1/domains/vc-new')).json()).toMatchObject({ state: 'running', id: expect.any(Number) });
    const snap = await call(gw, 'POST', '/v1/domains/vc-new/snapshots?wait=30', { name: 'vs1' });
    expect(snap.json().status, snap.body).toBe('succeeded');
    expect((await call(gw, 'GET', '/v1/domains/vc-new/snapshots/current')).json().name).toBe('vs1');
    const wrong = await call(gw, 'POST', '/v1/domains/vc-new/actions/resume?wait=30');
    expect(wrong.statusCode).toBe(409);
    expect((await call(gw, 'POST', '/v1/domains/vc-new/actions/destroy?wait=30')).json().status).toBe('succeeded');
    const tune = await call(gw, 'PATCH', '/v1/domains/vc-new', { vcpus: 2, autostart: true });
    expect(tune.statusCode, tune.body).toBe(200);
    expect(tune.json()).toMatchObject({ vcpus: 2, autostart: true });
    expect((await call(gw, 'DELETE', '/v1/domains/vc-new?delete-files=true')).statusCode).toBe(204);
    expect((await call(gw, 'GET', '/v1/domains/vc-new')).statusCode).toBe(404);
  });
});

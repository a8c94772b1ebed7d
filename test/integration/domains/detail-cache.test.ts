// A full domain GET served from the mirror plus a config cached by config.changeVersion: no round
// trip while the configuration is unchanged, fresh data as soon as it changes (inside or outside).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViClient } from '../../../src/vi/client.js';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';
import { rawClient } from '../../helpers/vi.js';

let sim: Sim;
let gw: Gateway;
let raw: ViClient;
let soapCalls = 0;
const get = async (path: string) => (await fetch(gw.url + path)).json() as Promise<any>;

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 3 });
  gw = await startGateway(sim);
  raw = await rawClient(sim);
  const t = gw.app.drivers.conn.vi.transport;
  const call = t.call.bind(t);
  t.call = (method, params, o) => {
    if (method !== 'WaitForUpdatesEx') soapCalls++;
    return call(method, params, o);
  };
  // Wait until the mirror serves reads.
  for (let i = 0; i < 100 && !gw.app.drivers.domain.mirror?.usable; i++) {
    await get('/v1/domains');
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(gw.app.drivers.domain.mirror?.usable).toBe(true);
});
afterAll(async () => {
  await gw?.close();
  await raw?.close();
  await sim?.stop();
});

describe('GET /v1/domains/{domain} with the mirror', () => {
  it('asks ESX nothing for a configuration it already read', async () => {
    const name = (await get('/v1/domains')).items[0].name;
    const first = await get(`/v1/domains/${name}`);
    expect(first.definition).toBeDefined();
    const before = soapCalls;
    const second = await get(`/v1/domains/${name}`);
    expect(soapCalls).toBe(before);
    expect(second).toEqual(first);
  });

  it('reads again once the configuration changed outside the gateway', async () => {
    const d = (await get('/v1/domains')).items[1];
    expect((await get(`/v1/domains/${d.name}`)).definition.description).toBeUndefined();
    await raw.call('ReconfigVM_Task', { _this: { type: 'VirtualMachine', value: d.moref }, spec: { annotation: 'changed outside' } });
    let description: string | undefined;
    for (let i = 0; i < 60 && description === undefined; i++) {
      description = (await get(`/v1/domains/${d.name}`)).definition.description;
      if (description === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(description).toBe('changed outside');
  });

  it('shows its own change at once (read-your-writes)', async () => {
    const d = (await get('/v1/domains?state=running')).items[0];
    await fetch(`${gw.url}/v1/domains/${d.name}/actions/destroy?wait=30`, { method: 'POST' });
    const before = await get(`/v1/domains/${d.name}`);
    const r = await fetch(`${gw.url}/v1/domains/${d.name}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ memory: before.memory * 2 }) });
    expect(r.status).toBeLessThan(300);
    const after = await get(`/v1/domains/${d.name}`);
    expect(after.memory).toBe(before.memory * 2);
    expect(after.definition.memory).toBe(before.definition.memory * 2);
  });
});

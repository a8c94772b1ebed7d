// Storage and networks through vCenter: datastores of the datacenter, /folder transfers with the
// datacenter's inventory path as dcPath, and the scope host's virtual switches.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';

let sim: Sim;
let gw: Gateway;

beforeAll(async () => {
  sim = await startSim({ vms: 0, extraArgs: ['-cluster', '0', '-host', '0', '-standalone-host', '1'] });
  gw = await startGateway(sim, { vpx: true });
});
afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

describe('storage and networks on vCenter', () => {
  it('lists the datastores and round-trips a file through /folder', async () => {
    const pools = (await gw.app.inject('/v1/storage-pools')).json().items;
    expect(pools.length).toBeGreaterThan(0);
    const pool = pools[0].name;
    const url = `${gw.url}/v1/storage-pools/${encodeURIComponent(pool)}/volumes/${encodeURIComponent('vc dir/hello.txt')}/content`;
    const up = await request(url, { method: 'PUT', body: 'hello vcenter', headers: { 'content-type': 'application/octet-stream' } });
    expect(up.statusCode, await up.body.text()).toBe(200);
    const down = await request(url);
    expect(down.statusCode).toBe(200);
    expect(await down.body.text()).toBe('hello vcenter');
  });

  it("lists the scope host's virtual switches and NICs", async () => {
    const nets = (await gw.app.inject('/v1/networks')).json();
    expect(nets.items.map((n: { name: string }) => n.name)).toContain('vSwitch0');
    const ifaces = (await gw.app.inject('/v1/interfaces')).json();
    expect(ifaces.items.length).toBeGreaterThan(0);
  });
});

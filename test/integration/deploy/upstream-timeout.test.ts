// An ESX that does not answer within ESXGATE_UPSTREAM_TIMEOUT_MS gives a 504 problem, not a hang.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';

let sim: Sim;
let gw: Gateway;

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 2, methodDelay: { RetrievePropertiesEx: 3000 } });
  gw = await startGateway(sim, { listen: false, env: { ESXGATE_UPSTREAM_TIMEOUT_MS: '500' } });
});

afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

it('answers 504 operation-timeout when ESX is slower than the upstream timeout', async () => {
  const res = await gw.app.inject('/v1/domains');
  expect(res.statusCode).toBe(504);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ status: 504, code: 'operation-timeout' });
  expect(res.json().detail).toMatch(/did not answer in time/);
});

// Scenario 2: the gateway's sessions are terminated on the ESX side (TerminateSession from another
// session, as an administrator or a session-expiry would) while requests run. Invariants: the pool
// logs in again transparently (zero client-visible errors), and re-logins never leave extra
// sessions behind on ESX (the count stays within the pool size, +1 for the update loop).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../helpers/esxsim.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { hasRoute, hasUpdateLoop } from './support/gateway-info.js';
import { isOk, sleep, startLoad } from './support/load.js';
import { tally, writeResult } from './support/results.js';
import { SessionWatcher } from './support/sessions.js';

const POOL = 2;
const ROUNDS = 10;

describe('session loss', () => {
  let sim: Sim;
  let gw: Gateway;
  let watcher: SessionWatcher;
  const notes: string[] = [];

  beforeAll(async () => {
    // Slow property retrievals keep several calls in flight on one session when it dies, so that
    // concurrent NotAuthenticated faults on the same session are exercised.
    sim = await startSim({ esx: true, vms: 3, taskDelay: 300, methodDelay: { RetrievePropertiesEx: 60 } });
    // Without the mirror every read goes to ESX through the request pool (the part under test);
    // operations still run through the task poller's own session.
    gw = await startGateway(sim, { env: { ESXGATE_POOL_SIZE: String(POOL), ESXGATE_UPSTREAM_TIMEOUT_MS: '5000', ESXGATE_MIRROR: '0' } });
    watcher = new SessionWatcher(sim).start(50);
  });
  afterAll(async () => {
    await watcher?.close();
    await gw?.close();
    await sim?.stop();
  });

  /** Runs power operations through the API (and so the task poller) while sessions die, if present. */
  async function operations(stop: () => boolean): Promise<{ started: number; bad: string[] }> {
    const out = { started: 0, bad: [] as string[] };
    if (!hasRoute(gw.app, 'POST', '/v1/domains/:domain/actions/:action')) {
      notes.push('domain actions / task poller not present yet: only read requests ran during session loss');
      return out;
    }
    const name = ((await gw.app.inject({ url: '/v1/domains' })).json() as { items: Array<{ name: string }> }).items.at(-1)!.name;
    const url = (a: string) => `/v1/domains/${encodeURIComponent(name)}/actions/${a}?wait=30`;
    for (let i = 0; !stop() && i < 20; i++) {
      const r = await gw.app.inject({ method: 'POST', url: url(i % 2 ? 'start' : 'destroy') });
      out.started++;
      const status = r.statusCode < 300 ? (r.json() as { status?: string }).status : undefined;
      if (r.statusCode >= 300 || (status !== undefined && status !== 'succeeded')) out.bad.push(`${url(i % 2 ? "start" : "destroy")} -> ${r.statusCode} ${JSON.stringify((r.json() as { status?: string; error?: unknown }).error ?? r.body.slice(0, 300))} (${status})`);
    }
    return out;
  }

  it('re-logs in transparently, with no client-visible error and no leaked session', async () => {
    const load = startLoad({ base: gw.url, paths: ['/v1/domains', '/v1/node', '/v1/connection'], clients: 4, maxMs: 40_000, maxRequests: 20_000, pauseMs: 2 });
    await sleep(800);
    let stopOps = false;
    const ops = operations(() => stopOps);
    let terminated = 0;
    for (let i = 0; i < ROUNDS; i++) {
      terminated += await watcher.terminateAll();
      await sleep(400);
    }
    await sleep(800);
    stopOps = true;
    const samples = await load.stop();
    const opResult = await ops;
    // Let the pool settle, then count what is left on ESX.
    await sleep(300);
    const settled = await watcher.count();
    const failures = samples.filter((s) => !isOk(s));
    const pool = gw.app.drivers.conn.vi.pool.stats();
    const allowed = POOL + (hasUpdateLoop(gw.app) ? 1 : 0);
    writeResult({
      scenario: '2-session-loss',
      injected: `TerminateSession of every gateway session, ${ROUNDS} rounds 400 ms apart, under 4 clients`,
      requests: samples.length + opResult.started,
      failures: failures.length + opResult.bad.length,
      failureKinds: tally(failures, (s) => `${s.status} ${s.code ?? s.error ?? ''}`.trim()),
      sessionsMax: watcher.max,
      poolSize: allowed,
      metrics: { 'terminated': terminated, 'relogins': pool.relogins, 'logins': pool.logins, 'sessions after': settled, 'operations': opResult.started },
      notes,
    });

    expect(terminated, 'sessions were terminated').toBeGreaterThan(ROUNDS / 2);
    expect(pool.relogins, 'the pool noticed and re-logged in').toBeGreaterThan(0);
    expect(failures, 'no client-visible error').toEqual([]);
    expect(opResult.bad, 'operations during session loss succeed').toEqual([]);
    expect(watcher.max, 'sessions on ESX').toBeLessThanOrEqual(allowed);
    expect(settled, 'sessions on ESX after the storm').toBeLessThanOrEqual(allowed);
  });
});

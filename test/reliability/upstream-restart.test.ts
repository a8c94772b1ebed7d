// Scenario 1: ESX dies and comes back under a steady bounded load. Invariants: requests that
// completed before the kill succeeded; failures are only clean 502/503/504 problems; nothing
// hangs; the gateway serves again within 5 s of ESX being back and everything after that succeeds;
// ESX never holds more sessions than the pool size (+1 for the update loop); an operation started
// before the restart ends up reported as finished (failed or resumed), not running forever.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../helpers/esxsim.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { hasRoute, hasUpdateLoop } from './support/gateway-info.js';
import { isCleanUpstreamProblem, isOk, sleep, startLoad, until, type Sample } from './support/load.js';
import { tally, writeResult } from './support/results.js';
import { SessionWatcher } from './support/sessions.js';

const POOL = 2;
const UPSTREAM_TIMEOUT_MS = 4000;
const RECOVERY_BOUND_MS = 5000;

describe('upstream restart', () => {
  let sim: Sim;
  let gw: Gateway;
  let watcher: SessionWatcher;
  const notes: string[] = [];

  beforeAll(async () => {
    sim = await startSim({ esx: true, vms: 3, taskDelay: 4000 });
    gw = await startGateway(sim, { env: { ESXGATE_POOL_SIZE: String(POOL), ESXGATE_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS) } });
    watcher = new SessionWatcher(sim).start(100);
  });
  afterAll(async () => {
    await watcher?.close();
    await gw?.close();
    await sim?.stop();
  });

  /** Starts a long task through the API if the actions/operations routes exist yet. */
  async function startOperation(): Promise<string | null> {
    if (!hasRoute(gw.app, 'POST', '/v1/domains/:domain/actions/:action') || !hasRoute(gw.app, 'GET', '/v1/operations/:id')) {
      notes.push('operations API not present yet: operation-before-restart check skipped');
      return null;
    }
    const list = await gw.app.inject({ url: '/v1/domains' });
    const name = (list.json() as { items: Array<{ name: string }> }).items[0]!.name;
    const r = await gw.app.inject({ method: 'POST', url: `/v1/domains/${encodeURIComponent(name)}/actions/destroy` });
    expect(r.statusCode, r.body).toBe(202);
    return (r.json() as { id: string }).id;
  }

  it('recovers within 5 s, fails only in-flight requests, never exceeds the session pool', async () => {
    const load = startLoad({ base: gw.url, paths: ['/v1/domains', '/v1/node'], clients: 4, maxMs: 45_000, maxRequests: 20_000, pauseMs: 5 });
    expect(await until(() => load.samples.filter(isOk).length > 20, 10_000), 'warm-up: the gateway serves before the kill').not.toBeNull();
    await sleep(1000);
    const opId = await startOperation();

    const tKill = Date.now();
    sim.kill('SIGKILL');
    await sleep(1500);
    await sim.restart();
    const tBack = Date.now();
    const recovery = await until(() => load.samples.some((s) => s.start >= tBack && isOk(s)), 15_000, 20);
    const firstOk = Math.min(...load.samples.filter((s) => s.start >= tBack && isOk(s)).map((s) => s.end));
    await sleep(2500);
    const samples: Sample[] = await load.stop();

    // The operation started before the restart must not stay "running" forever.
    let opStatus: string | null = null;
    if (opId) {
      await until(async () => {
        const r = await gw.app.inject({ url: `/v1/operations/${encodeURIComponent(opId)}` });
        opStatus = r.statusCode === 200 ? (r.json() as { status: string }).status : `http ${r.statusCode}`;
        return opStatus !== 'running';
      }, 20_000, 250);
    }

    const failures = samples.filter((s) => !isOk(s));
    const allowedSessions = POOL + (hasUpdateLoop(gw.app) ? 1 : 0);
    writeResult({
      scenario: '1-upstream-restart',
      injected: 'simulator SIGKILL, 1.5 s down, restart on the same port, under 4 clients of GET /v1/domains + /v1/node',
      requests: samples.length,
      failures: failures.length,
      failureKinds: tally(failures, (s) => `${s.status} ${s.code ?? s.error ?? ''}`.trim()),
      sessionsMax: watcher.max,
      poolSize: allowedSessions,
      metrics: {
        'recovery ms': recovery === null ? 'never' : firstOk - tBack,
        'max latency ms': Math.max(...samples.map((s) => s.end - s.start)),
        'operation': opId ? String(opStatus) : 'n/a',
      },
      notes,
    });

    expect(samples.filter((s) => s.end < tKill).every(isOk), 'requests completed before the kill succeeded').toBe(true);
    expect(failures.filter((s) => !isCleanUpstreamProblem(s)), 'every failure is a 502/503/504 problem+json').toEqual([]);
    expect(Math.max(...samples.map((s) => s.end - s.start)), 'no request hangs past the upstream timeout').toBeLessThan(UPSTREAM_TIMEOUT_MS + 2000);
    expect(recovery, 'the gateway served again after ESX came back').not.toBeNull();
    expect(firstOk - tBack, 'recovery bound (ms after ESX is back)').toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    expect(samples.filter((s) => s.start > firstOk && !isOk(s)), 'everything after recovery succeeds').toEqual([]);
    expect(watcher.polls, 'the session watcher saw ESX').toBeGreaterThan(5);
    expect(watcher.max, 'sessions on ESX').toBeLessThanOrEqual(allowedSessions);
    expect(watcher.max).toBeGreaterThan(0);
    if (opId) expect(['failed', 'succeeded', 'cancelled']).toContain(opStatus);
  });
});

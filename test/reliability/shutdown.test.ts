// Scenario 8: the real server process gets SIGTERM while requests are in flight and an SSE client
// listens. Invariants: requests in flight complete (200), the SSE client gets a final `end` event,
// every vSphere session the gateway held is logged out (sessionList back to its baseline), and the
// process exits with code 0 within the grace period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../helpers/esxsim.js';
import { simUri } from '../helpers/gateway.js';
import { isOk, sleep, startLoad, until } from './support/load.js';
import { tally, writeResult } from './support/results.js';
import { SessionWatcher } from './support/sessions.js';
import { type ServerProcess, spawnServer } from './support/spawn-server.js';

const GRACE_MS = 10_000;
const SLOW_MS = 1000;

describe('shutdown', () => {
  let sim: Sim;
  let watcher: SessionWatcher;
  let srv: ServerProcess | undefined;

  beforeAll(async () => {
    // Slow property retrievals keep requests in flight when SIGTERM arrives.
    sim = await startSim({ esx: true, vms: 3, methodDelay: { RetrievePropertiesEx: SLOW_MS } });
    watcher = new SessionWatcher(sim);
  });
  afterAll(async () => {
    if (srv && srv.proc.exitCode === null) srv.proc.kill('SIGKILL');
    await watcher?.close();
    await sim?.stop();
  });

  /** Reads an SSE stream into `text` until it ends. */
  async function listen(url: string, out: { text: string; status: number }): Promise<void> {
    const res = await fetch(url, { headers: { accept: 'text/event-stream' } });
    out.status = res.status;
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        out.text += dec.decode(value, { stream: true });
      }
    } catch {
      /* connection closed: what arrived is what counts */
    }
  }

  it('SIGTERM: in-flight requests complete, SSE gets a final event, sessions logged out, exit 0', async () => {
    const baseline = await watcher.count();
    srv = await spawnServer({ ESXGATE_URI: simUri(sim), ESXGATE_PASSWORD: sim.password, ESXGATE_GRACE_MS: String(GRACE_MS), ESXGATE_POOL_SIZE: '3' });
    expect((await fetch(`${srv.url}/v1/domains`)).status).toBe(200);

    const sse = { text: '', status: 0 };
    const sseDone = listen(`${srv.url}/v1/events`, sse);
    const load = startLoad({ base: srv.url, paths: ['/v1/domains', '/v1/node'], clients: 4, maxMs: 30_000, maxRequests: 200, timeoutMs: GRACE_MS + 5000 });
    await until(() => load.samples.length >= 4, 10_000);
    await sleep(SLOW_MS / 2);
    const during = await watcher.count();

    const tTerm = Date.now();
    srv.proc.kill('SIGTERM');
    const samples = await load.stop();
    const exit = await srv.exited;
    const exitMs = Date.now() - tTerm;
    await Promise.race([sseDone, sleep(2000)]);
    const after = await watcher.count();

    // In flight = started well before the signal (a request racing the signal may be refused).
    const inFlight = samples.filter((s) => s.start < tTerm - 100 && s.end >= tTerm);
    const early = samples.filter((s) => s.start < tTerm - 100);
    const failures = early.filter((s) => !isOk(s));
    writeResult({
      scenario: '8-shutdown',
      injected: `SIGTERM to the server process under 4 clients (RetrievePropertiesEx delayed ${SLOW_MS} ms) and an SSE client`,
      requests: samples.length,
      failures: failures.length,
      failureKinds: tally(failures, (s) => `${s.status} ${s.code ?? s.error ?? ''}`.trim()),
      sessionsMax: during,
      metrics: {
        'in flight at SIGTERM': inFlight.length,
        'exit code': exit.code,
        'exit ms': exitMs,
        'SSE final event': /event: end/.test(sse.text),
        'sessions before/during/after': `${baseline}/${during}/${after}`,
      },
    });

    expect(inFlight.length, 'requests were in flight at SIGTERM').toBeGreaterThan(0);
    expect(failures, 'requests started before SIGTERM complete').toEqual([]);
    expect(sse.status).toBe(200);
    expect(sse.text, 'the SSE client got a final event').toMatch(/event: end/);
    expect(during, 'the gateway held sessions').toBeGreaterThan(baseline);
    expect(after, 'sessions logged out').toBe(baseline);
    expect(exit.code, srv.lines.slice(-20).join('\n')).toBe(0);
    expect(exitMs, 'exit within the grace period').toBeLessThan(GRACE_MS);
  });
});

// Scenario 7: TLS. With verification on (the default) the simulator's self-signed certificate is
// refused with a clear problem (502 upstream-tls naming cacert and no_verify); with cacert=<its
// certificate> it is accepted; no_verify=1 makes the server warn exactly once, at start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../helpers/esxsim.js';
import { type Gateway, simUri, startGateway } from '../helpers/gateway.js';
import { sleep } from './support/load.js';
import { writeResult } from './support/results.js';
import { spawnServer } from './support/spawn-server.js';

describe('TLS', () => {
  let sim: Sim;
  const gws: Gateway[] = [];
  const metrics: Record<string, string | number> = {};
  let requests = 0;

  beforeAll(async () => {
    sim = await startSim({ esx: true, vms: 1 });
  });
  afterAll(async () => {
    for (const g of gws) await g.close();
    await sim?.stop();
    writeResult({
      scenario: '7-tls',
      injected: 'self-signed simulator certificate: verification on, cacert=<cert>, no_verify=1 (spawned server)',
      requests,
      failures: 0,
      metrics,
    });
  });

  it('refuses a self-signed certificate by default, with a problem naming cacert and no_verify', async () => {
    const gw = await startGateway(sim, { query: '', listen: false });
    gws.push(gw);
    for (const url of ['/v1/node', '/v1/domains', '/v1/connection']) {
      const r = await gw.app.inject({ url });
      requests++;
      expect(r.statusCode, r.body).toBe(502);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      const p = r.json() as { code: string; detail: string };
      expect(p.code).toBe('upstream-tls');
      expect(p.detail).toMatch(/cacert/);
      expect(p.detail).toMatch(/no_verify/);
      metrics['refused with'] = `${r.statusCode} ${p.code}`;
    }
    const ready = await gw.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
  });

  it('accepts the simulator with cacert=<its certificate>', async () => {
    const gw = await startGateway(sim, { query: `cacert=${encodeURIComponent(sim.certPath!)}`, listen: false });
    gws.push(gw);
    for (const url of ['/v1/node', '/v1/domains', '/readyz']) {
      const r = await gw.app.inject({ url });
      requests++;
      expect(r.statusCode, r.body).toBe(200);
    }
    metrics['with cacert'] = 200;
  });

  it('no_verify=1 logs a warning exactly once (real server process)', async () => {
    const srv = await spawnServer({ ESXGATE_URI: simUri(sim, { query: 'no_verify=1' }), ESXGATE_PASSWORD: sim.password, ESXGATE_LOG_LEVEL: 'info' });
    try {
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${srv.url}${i % 2 ? '/v1/node' : '/v1/domains'}`);
        requests++;
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      await sleep(200);
    } finally {
      srv.proc.kill('SIGTERM');
      await srv.exited;
    }
    const warnings = srv.lines.filter((l) => /no_verify/.test(l) && /"level":40/.test(l));
    metrics['no_verify warnings'] = warnings.length;
    expect(warnings, srv.lines.join('\n')).toHaveLength(1);
  });
});

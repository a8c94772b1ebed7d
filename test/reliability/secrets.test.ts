// Scenario 6: secrets never leave the gateway. With a distinctive ESX password and bearer token,
// every log line (pino at trace, with the production logger options) and every response body -
// successes, 401s, 404s, upstream failures, a wrong password - is captured; neither the password,
// the token nor any vmware_soap_session cookie value the gateway received may appear in them.
// The real server process is run too, so its start and shutdown logs are covered.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/logger.js';
import { type Sim, startSim } from '../helpers/esxsim.js';
import { type Gateway, simUri, startGateway } from '../helpers/gateway.js';
import { sleep } from './support/load.js';
import { writeResult } from './support/results.js';
import { SessionWatcher } from './support/sessions.js';
import { spawnServer } from './support/spawn-server.js';

const PASSWORD = `S3cr3t-P@ss-${randomBytes(6).toString('hex')}`;
const TOKEN = `tok-${randomBytes(16).toString('hex')}`;
const RO_TOKEN = `rotok-${randomBytes(16).toString('hex')}`;

/** A pino logger at trace with the gateway's own options (redaction), writing into `lines`. */
function captureLogger(lines: string[]) {
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return pino(loggerOptions('trace'), stream);
}

describe('secrets', () => {
  let sim: Sim;
  const gws: Gateway[] = [];
  const logs: string[] = [];
  const bodies: string[] = [];
  const cookies = new Set<string>();
  let requests = 0;

  beforeAll(async () => {
    sim = await startSim({ esx: true, vms: 2, password: PASSWORD });
  });
  afterAll(async () => {
    for (const g of gws) await g.close();
    await sim?.stop();
  });

  /** Records the session cookies ESX hands to this gateway (they must not leak either). */
  function spyCookies(gw: Gateway) {
    const t = gw.app.drivers.conn.vi.transport;
    const call = t.call.bind(t);
    t.call = async (...args: Parameters<typeof call>) => {
      const r = await call(...args);
      for (const c of (r.setCookie ?? '').split('\n')) {
        const pair = c.split(';')[0]!.trim();
        const value = pair.slice(pair.indexOf('=') + 1).replace(/^"|"$/g, '');
        if (value.length >= 8) cookies.add(value);
      }
      return r;
    };
  }

  async function hit(gw: Gateway, method: string, url: string, headers: Record<string, string> = {}, payload?: string) {
    const r = await gw.app.inject({ method: method as 'GET', url, headers, payload });
    requests++;
    bodies.push(`${r.statusCode} ${JSON.stringify(r.headers)} ${r.body}`);
    return r;
  }

  it('keeps password, token and session cookie out of logs and responses', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const gw = await startGateway(sim, {
      password: PASSWORD,
      listen: false,
      env: { ESXGATE_TOKENS: `${TOKEN},ro:${RO_TOKEN}`, ESXGATE_POOL_SIZE: '2' },
      logger: captureLogger(logs),
    });
    gws.push(gw);
    spyCookies(gw);

    for (const url of ['/v1/domains', '/v1/node', '/v1/connection', '/readyz', '/metrics', '/v1/domains/no-such-vm', '/v1/operations', '/v1/networks', '/v1/storage-pools']) {
      await hit(gw, 'GET', url, auth);
    }
    expect((await hit(gw, 'GET', '/v1/domains', auth)).statusCode).toBe(200);
    // Auth failures: missing, wrong (the real token as a prefix: an echo would show it), read-only, Basic.
    expect((await hit(gw, 'GET', '/v1/domains')).statusCode).toBe(401);
    expect((await hit(gw, 'GET', '/v1/domains', { authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(401);
    expect((await hit(gw, 'DELETE', '/v1/domains/no-such-vm', { authorization: `Bearer ${RO_TOKEN}` })).statusCode).toBe(403);
    await hit(gw, 'GET', '/v1/domains', { authorization: `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}` });
    await hit(gw, 'GET', '/v1/domains', { ...auth, cookie: `vmware_soap_session="${TOKEN}"` });
    await hit(gw, 'POST', '/v1/domains', { ...auth, 'content-type': 'application/json' }, '{"name": 1}');
    await hit(gw, 'POST', '/v1/domains', { ...auth, 'content-type': 'application/json' }, '{not json');

    // Defence in depth: whatever a future log call might include (the whole config, request
    // headers, a session) must come out redacted.
    gw.app.log.info({ config: gw.config }, 'config dump');
    gw.app.log.info({ req: { headers: { ...auth, cookie: `vmware_soap_session="${PASSWORD}"` } } }, 'headers dump');
    gw.app.log.info({ session: { cookie: `vmware_soap_session="${PASSWORD}"`, password: PASSWORD } }, 'session dump');

    // Session loss: the re-login path logs too.
    const watcher = new SessionWatcher(sim);
    await watcher.terminateAll();
    await hit(gw, 'GET', '/v1/domains', auth);
    await hit(gw, 'GET', '/v1/node', auth);
    await watcher.close();

    // A wrong password (with the right one as a prefix, so an echo would show it): auth-failed.
    const bad = await startGateway(sim, { password: `${PASSWORD}-wrong`, listen: false, logger: captureLogger(logs) });
    gws.push(bad);
    const r = await hit(bad, 'GET', '/v1/node');
    expect(r.statusCode).toBe(502);
    expect((r.json() as { code: string }).code).toBe('auth-failed');
    await hit(bad, 'GET', '/readyz');

    // ESX down: upstream errors are logged with details.
    const down = await startGateway({ ...sim, port: 1 }, { password: PASSWORD, listen: false, logger: captureLogger(logs) });
    gws.push(down);
    await hit(down, 'GET', '/v1/domains');

    // The real server: start-up, requests at trace level, shutdown.
    const srv = await spawnServer({
      ESXGATE_URI: simUri(sim),
      ESXGATE_PASSWORD: PASSWORD,
      ESXGATE_TOKENS: TOKEN,
      ESXGATE_LOG_LEVEL: 'trace',
    });
    for (const url of ['/v1/domains', '/v1/node', '/v1/nope']) {
      const res = await fetch(`${srv.url}${url}`, { headers: auth });
      requests++;
      bodies.push(`${res.status} ${await res.text()}`);
    }
    const res = await fetch(`${srv.url}/v1/domains`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    requests++;
    bodies.push(`${res.status} ${await res.text()}`);
    srv.proc.kill('SIGTERM');
    await srv.exited;
    await sleep(50);
    logs.push(...srv.lines);

    const haystack = [...logs, ...bodies];
    const leaks = (needle: string) => haystack.filter((l) => l.includes(needle)).map((l) => l.slice(0, 300));
    const found = {
      password: leaks(PASSWORD),
      token: leaks(TOKEN),
      roToken: leaks(RO_TOKEN),
      cookie: [...cookies].flatMap(leaks),
    };
    writeResult({
      scenario: '6-secrets',
      injected: 'distinctive password, bearer tokens, wrong password, wrong/missing/read-only/Basic auth, session termination, ESX down, real server at trace',
      requests,
      failures: found.password.length + found.token.length + found.roToken.length + found.cookie.length,
      metrics: { 'log lines': logs.length, 'response bodies': bodies.length, 'cookies tracked': cookies.size },
    });
    expect(logs.length, 'logs were captured').toBeGreaterThan(50);
    expect(cookies.size, 'session cookies were seen').toBeGreaterThan(0);
    expect(found).toEqual({ password: [], token: [], roToken: [], cookie: [] });
  });
});

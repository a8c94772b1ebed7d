// Gateway authentication against the simulator: with ESXGATE_TOKENS set, /v1 needs a bearer token
// (401 problem + WWW-Authenticate otherwise), read-only tokens may only GET/HEAD (403), the health
// and documentation endpoints stay open, and tokens never reach the log.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACT_PATHS } from '../../../src/logger.js';
import { type Sim, startSim } from '../../helpers/esxsim.js';
import { type Gateway, startGateway } from '../../helpers/gateway.js';

const RW = 'rw-token-0123456789abcdef';
const RO = 'ro-token-0123456789abcdef';

let sim: Sim;
let gw: Gateway;
let logText = '';

beforeAll(async () => {
  sim = await startSim({ esx: true, vms: 2 });
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  // Trace level: the most the gateway ever logs about a request.
  const logger = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  gw = await startGateway(sim, { env: { ESXGATE_TOKENS: `${RW},ro:${RO}` }, logger });
});

afterAll(async () => {
  await gw?.close();
  await sim?.stop();
});

const get = (path: string, token?: string, init: RequestInit = {}) =>
  fetch(gw.url + path, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });

describe('bearer tokens', () => {
  it('answers 401 problem+json with WWW-Authenticate without a token', async () => {
    const res = await get('/v1/domains');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="esxgate"');
    expect(await res.json()).toMatchObject({ status: 401, code: 'auth-required', instance: '/v1/domains' });
  });

  it('answers 401 invalid_token for a wrong token or another scheme', async () => {
    for (const authorization of [`Bearer ${RW}x`, `Basic ${Buffer.from(`user:${RW}`).toString('base64')}`]) {
      const res = await get('/v1/domains', undefined, { headers: { authorization } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const body = await res.text();
      expect(body).not.toContain(RW);
    }
  });

  it('serves /v1 with a valid token', async () => {
    const res = await get('/v1/domains', RW);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Array<{ name: string }> };
    expect(body.items.length).toBe(2);
  });

  it('lets read-only tokens GET but not change anything (403)', async () => {
    expect((await get('/v1/node', RO)).status).toBe(200);
    const res = await get('/v1/domains', RO, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'operation-denied' });
  });

  it('does not reveal which /v1 routes exist without a token', async () => {
    const res = await get('/v1/no-such-thing');
    expect(res.status).toBe(401);
  });

  it('keeps health, readiness and the API documentation open', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/openapi.json')).status).toBe(200);
    const docs = await get('/docs/');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
  });

  it('needs a token (read-only suffices) for /metrics', async () => {
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', RO)).status).toBe(200);
  });

  it('never logs tokens', async () => {
    await get('/v1/domains', RW);
    await get('/v1/domains', `${RO}-wrong`);
    expect(logText.length).toBeGreaterThan(0);
    expect(logText).not.toContain(RW);
    expect(logText).not.toContain(RO);
  });
});

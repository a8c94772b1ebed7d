// Hardening without ESX (connecting is lazy): security headers, CORS off by default and on when
// configured, rate limiting, body limit, and metrics registries per app instance.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

// Port 1 on loopback refuses at once: /v1 routes answer 503 quickly, which is all these tests need.
async function build(env: Record<string, string> = {}, extra?: (app: FastifyInstance) => void) {
  const app = await buildApp({ config: loadConfig({ ESXGATE_URI: 'esx://user@127.0.0.1:1/?no_verify=1', ...env }), logger: false });
  extra?.(app);
  apps.push(app);
  await app.ready();
  return app;
}

describe('security headers', () => {
  it('sends helmet headers and a deny-all CSP on API responses', async () => {
    const app = await build();
    const res = await app.inject('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    // Problem responses carry them too.
    const p = await app.inject('/v1/nope');
    expect(p.headers['x-content-type-options']).toBe('nosniff');
  });

  it('relaxes the CSP for Swagger UI only, without upgrading http requests to https', async () => {
    const app = await build();
    const res = await app.inject('/docs/');
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).not.toMatch(/https:\/\/|cdn/i);
    // The page loads its scripts from this server, not from a CDN.
    expect(res.body).not.toMatch(/src="https?:\/\//);
    const js = await app.inject('/docs/static/swagger-ui-bundle.js');
    expect(js.statusCode).toBe(200);
    expect(js.body.length).toBeGreaterThan(100_000);
  });
});

describe('CORS', () => {
  const preflight = { method: 'OPTIONS' as const, url: '/v1/domains', headers: { origin: 'https://ui.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } };

  it('is off by default', async () => {
    const app = await build();
    const res = await app.inject({ url: '/healthz', headers: { origin: 'https://ui.example.com' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await app.inject(preflight);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows the configured origins (preflights need no token)', async () => {
    const app = await build({ ESXGATE_CORS_ORIGIN: 'https://ui.example.com', ESXGATE_TOKENS: 'rw-token-0123456789abcdef' });
    const pre = await app.inject(preflight);
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://ui.example.com');
    expect(String(pre.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    const res = await app.inject({ url: '/healthz', headers: { origin: 'https://ui.example.com' } });
    expect(res.headers['access-control-allow-origin']).toBe('https://ui.example.com');
    const other = await app.inject({ url: '/healthz', headers: { origin: 'https://evil.example.org' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limit', () => {
  it('answers 429 problem+json after ESXGATE_RATE_LIMIT requests per minute, never for health probes', async () => {
    const app = await build({ ESXGATE_RATE_LIMIT: '3' });
    for (let i = 0; i < 3; i++) expect((await app.inject('/openapi.json')).statusCode).toBe(200);
    const res = await app.inject('/openapi.json');
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.json()).toMatchObject({ status: 429, code: 'rate-limited' });
    // Another client still gets through; probes are not counted.
    expect((await app.inject({ url: '/openapi.json', remoteAddress: '10.0.0.2' })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('is off by default', async () => {
    const app = await build();
    for (let i = 0; i < 20; i++) expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/openapi.json')).headers['x-ratelimit-limit']).toBeUndefined();
  });
});

describe('body limit', () => {
  it('answers 413 problem+json above ESXGATE_BODY_LIMIT', async () => {
    const app = await build({ ESXGATE_BODY_LIMIT: '1024' }, (a) => a.post('/v1/test-echo', async (req) => ({ size: JSON.stringify(req.body).length })));
    const ok = await app.inject({ method: 'POST', url: '/v1/test-echo', payload: { a: 'x'.repeat(100) } });
    expect(ok.statusCode).toBe(200);
    const res = await app.inject({ method: 'POST', url: '/v1/test-echo', payload: { a: 'x'.repeat(2000) } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'payload-too-large' });
  });
});

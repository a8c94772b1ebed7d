// Scenario 4: an endpoint that logs in like ESX and then answers nonsense: garbage, truncated XML,
// bodies beyond ESXGATE_MAX_RESPONSE_BYTES (declared or streamed), deep nesting, DOCTYPE entity
// bombs, unknown fault types, HTML and JSON. Invariants: every request gets a clear 502/503/504
// problem+json with a code and a detail, no 500, nothing unhandled, the process keeps serving,
// and the heap does not keep what the parser refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sim } from '../helpers/esxsim.js';
import { type FakeMode, type FakeSoap, startFakeSoap } from '../helpers/fake-soap.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { gcHeap } from './support/gateway-info.js';
import { installGuards, type Guards } from './support/guards.js';
import { tally, writeResult } from './support/results.js';

const LIMIT = 1024 * 1024;
const MODES: FakeMode[] = [
  'garbage',
  'truncated',
  'empty',
  'not-envelope',
  'html-error',
  'json',
  'huge-chunked',
  'huge-declared',
  'deep-nesting',
  'doctype-entities',
  'unknown-fault',
  'fault-without-detail',
  'not-authenticated',
  'wrong-namespace',
];
const UPSTREAM_CODES = ['upstream-error', 'upstream-unavailable', 'operation-timeout', 'operation-failed', 'auth-failed'];

describe('malformed upstream', () => {
  let fake: FakeSoap;
  let gw: Gateway;
  let guards: Guards;
  let heapBefore = 0;
  const seen: Array<{ mode: string; url: string; status: number; code?: string; ms: number }> = [];

  beforeAll(async () => {
    guards = installGuards();
    fake = await startFakeSoap({ hugeBytes: 4 * LIMIT });
    // The fake speaks plain http; startGateway only needs the address and credentials of a "sim".
    const sim = { host: '127.0.0.1', port: fake.port, username: 'user', password: 'pass' } as Sim;
    gw = await startGateway(sim, {
      query: 'transport=http',
      listen: false,
      env: { ESXGATE_MAX_RESPONSE_BYTES: String(LIMIT), ESXGATE_UPSTREAM_TIMEOUT_MS: '3000', ESXGATE_MIRROR: '0' },
    });
    // Warm-up (route compilation, first connect) before the heap baseline.
    for (const mode of ['garbage', 'huge-chunked'] as const) {
      fake.mode = mode;
      for (let i = 0; i < 3; i++) await gw.app.inject({ url: '/v1/node' });
    }
    heapBefore = await gcHeap();
  });
  afterAll(async () => {
    guards?.dispose();
    await gw?.close();
    await fake?.close();
  });

  it.each(MODES)('%s -> a clear upstream problem', async (mode) => {
    fake.mode = mode;
    for (const url of ['/v1/node', '/v1/domains', '/v1/connection']) {
      const t0 = Date.now();
      const r = await gw.app.inject({ url });
      const body = r.json() as { code?: string; detail?: string };
      seen.push({ mode, url, status: r.statusCode, code: body.code, ms: Date.now() - t0 });
      if (process.env.RELIABILITY_VERBOSE) console.log(mode, url, r.statusCode, Date.now() - t0, body.code, body.detail);
      expect([502, 503, 504], `${mode} ${url}: ${r.body}`).toContain(r.statusCode);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(UPSTREAM_CODES, r.body).toContain(body.code);
      expect(body.detail, r.body).toBeTruthy();
      expect(Date.now() - t0, 'answers promptly').toBeLessThan(5000);
    }
  });

  it('keeps serving, with nothing unhandled and no retained memory', async () => {
    const health = await gw.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    // The login and service content of the fake were fine: the connection is not wedged.
    expect(fake.calls).toContain('Login');
    const heapAfter = await gcHeap();
    writeResult({
      scenario: '4-malformed-upstream',
      injected: `${MODES.join(', ')} (response limit ${LIMIT} bytes, bodies of ${4 * LIMIT})`,
      requests: seen.length,
      failures: seen.filter((s) => s.status >= 500 && s.status < 502).length,
      failureKinds: tally(seen, (s) => `${s.status} ${s.code}`),
      memoryBefore: heapBefore,
      memoryAfter: heapAfter,
      metrics: { 'max latency ms': Math.max(...seen.map((s) => s.ms)), 'process events': guards.events.length },
    });
    expect(guards.events).toEqual([]);
    expect(heapAfter - heapBefore, 'heap growth after GC').toBeLessThan(16 * 1024 * 1024);
  });
});

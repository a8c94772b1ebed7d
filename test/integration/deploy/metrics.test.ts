// /metrics against the simulator: HTTP durations labelled by route template, SOAP calls by method
// and fault, session pool gauges, the operations/events hooks, default process metrics, and one
// registry per app.
import { describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../helpers/gateway.js';
import { useSimGateway } from '../../helpers/sim-gateway.js';

const ctx = useSimGateway({ esx: true, vms: 2 });

const scrape = async (g: Gateway = ctx.gw) => {
  const res = await g.app.inject('/metrics');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
};

/** The value of one sample, e.g. sample(text, 'x_count{a="b"}'). */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('counts HTTP requests by route template and status, never by raw URL', async () => {
    const list = await ctx.gw.app.inject('/v1/domains');
    const name = (list.json() as { items: Array<{ name: string }> }).items[0]!.name;
    expect((await ctx.gw.app.inject(`/v1/domains/${encodeURIComponent(name)}`)).statusCode).toBe(200);
    expect((await ctx.gw.app.inject('/v1/domains/no-such-domain-42')).statusCode).toBe(404);
    expect((await ctx.gw.app.inject('/v1/scanner/probe-123')).statusCode).toBe(404);
    const text = await scrape();
    expect(sample(text, 'esxgate_http_request_duration_seconds_count{method="GET",route="/v1/domains",status_code="200"}')).toBe(1);
    expect(sample(text, 'esxgate_http_request_duration_seconds_count{method="GET",route="/v1/domains/:domain",status_code="200"}')).toBe(1);
    expect(sample(text, 'esxgate_http_request_duration_seconds_count{method="GET",route="/v1/domains/:domain",status_code="404"}')).toBe(1);
    expect(sample(text, 'esxgate_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}')).toBe(1);
    expect(text).not.toContain('no-such-domain-42');
    expect(text).not.toContain('probe-123');
    expect(text).not.toContain(`route="/v1/domains/${name}"`);
  });

  it('times SOAP calls by vim25 method and fault', async () => {
    const text = await scrape();
    expect(sample(text, 'esxgate_soap_call_duration_seconds_count{method="RetrieveServiceContent",fault="none"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'esxgate_soap_call_duration_seconds_count{method="Login",fault="none"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/esxgate_soap_call_duration_seconds_count\{method="RetrievePropertiesEx",fault="none"\} [1-9]/);
  });

  it('reports the session pool', async () => {
    const text = await scrape();
    expect(sample(text, 'esxgate_session_pool_size')).toBe(ctx.gw.config.poolSize);
    expect(sample(text, 'esxgate_session_pool_open')).toBeGreaterThanOrEqual(1);
    // The update loop may hold a session in a long WaitForUpdatesEx.
    expect(sample(text, 'esxgate_session_pool_in_use')).toBeLessThanOrEqual(ctx.gw.config.poolSize);
    expect(sample(text, 'esxgate_session_pool_waiting')).toBe(0);
    expect(sample(text, 'esxgate_session_logins_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'esxgate_session_relogins_total')).toBe(0);
  });

  it('includes the default process metrics', async () => {
    const text = await scrape();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });

  it('counts operations by status and connected event-stream clients', async () => {
    const list = (await ctx.gw.app.inject('/v1/domains?state=running')).json() as { items: Array<{ name: string }> };
    const name = list.items[list.items.length - 1]!.name;
    const res = await ctx.gw.app.inject({ method: 'POST', url: `/v1/domains/${encodeURIComponent(name)}/actions/destroy?wait=30` });
    expect(res.statusCode).toBe(200);
    expect(sample(await scrape(), 'esxgate_operations{status="succeeded"}')).toBeGreaterThanOrEqual(1);

    const ac = new AbortController();
    const sse = await fetch(`${ctx.url}/v1/events`, { signal: ac.signal });
    expect(sse.status).toBe(200);
    try {
      expect(sample(await scrape(), 'esxgate_event_stream_clients')).toBe(1);
    } finally {
      ac.abort();
    }
    await expect.poll(async () => sample(await scrape(), 'esxgate_event_stream_clients'), { timeout: 10_000 }).toBe(0);
  });

  it('reads operations and event-stream counts from the drivers hooks', async () => {
    const drivers = ctx.gw.app.drivers as unknown as Record<string, unknown>;
    const saved = { operations: drivers.operations, events: drivers.events };
    // The hook contract documented in src/plugins/metrics.ts, wrapped around whatever exists.
    drivers.operations = Object.assign(Object.create((saved.operations as object) ?? null), { stats: () => ({ byStatus: { running: 2, succeeded: 5 } }) });
    drivers.events = Object.assign(Object.create((saved.events as object) ?? null), { stats: () => ({ clients: 3 }) });
    try {
      const text = await scrape();
      expect(sample(text, 'esxgate_operations{status="running"}')).toBe(2);
      expect(sample(text, 'esxgate_operations{status="succeeded"}')).toBe(5);
      expect(sample(text, 'esxgate_operations{status="blocked"}')).toBe(0);
      expect(sample(text, 'esxgate_event_stream_clients')).toBe(3);
    } finally {
      Object.assign(drivers, saved);
    }
  });

  it('keeps one registry per app', async () => {
    const other = await startGateway(ctx.sim, { listen: false });
    try {
      const text = await scrape(other);
      expect(text).not.toContain('route="/v1/domains/:domain"');
    } finally {
      await other.close();
    }
  });
});

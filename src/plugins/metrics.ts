// Prometheus metrics (GET /metrics). Each app has its own Registry so tests can build several apps
// in one process. Labels are bounded: HTTP routes by template (never the raw URL), SOAP calls by
// vim25 method name and fault name.
//
// Hooks other components implement (read at scrape time, all optional):
//   app.drivers.operations.stats(): { byStatus: Record<OperationStatus, number> }  -> esxgate_operations{status}
//     (without it, app.drivers.operations.list() is counted by status)
//   app.drivers.events.stats():     { clients: number }                             -> esxgate_event_stream_clients
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolStats } from '../vi/session-pool.js';

const OPERATION_STATUSES = ['running', 'succeeded', 'failed', 'cancelled', 'blocked'];

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly http = new Histogram({
    name: 'esxgate_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly soap = new Histogram({
    name: 'esxgate_soap_call_duration_seconds',
    help: 'vSphere SOAP calls, by vim25 method and fault ("none" when the call succeeded)',
    labelNames: ['method', 'fault'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** For EsxConnection's onCall option (the transport reports every call). */
  readonly onSoapCall = (method: string, ms: number, fault: string | null): void => {
    this.soap.observe({ method, fault: fault ?? 'none' }, ms / 1000);
  };
}

/** A counter fed from a cumulative number read at scrape time (prom-client counters only go up). */
function cumulativeCounter(registry: Registry, name: string, help: string, read: () => number | undefined) {
  let seen = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const v = read();
      if (v === undefined) return;
      // A new session pool (after close/reconnect) starts from 0 again.
      if (v < seen) seen = 0;
      this.inc(v - seen);
      seen = v;
    },
  });
}

async function metrics(app: FastifyInstance, opts: { metrics: GatewayMetrics }) {
  const m = opts.metrics;
  const drivers = app.drivers as unknown as Record<string, { stats?: () => unknown } | undefined>;
  const pool = (): PoolStats | undefined => (app.drivers.conn.vi.connected ? app.drivers.conn.vi.pool.stats() : undefined);

  const poolGauge = (name: string, help: string, key: keyof PoolStats) =>
    new Gauge({
      name,
      help,
      registers: [m.registry],
      collect() {
        this.set(pool()?.[key] ?? 0);
      },
    });
  poolGauge('esxgate_session_pool_size', 'vSphere sessions the pool may hold', 'size');
  poolGauge('esxgate_session_pool_open', 'vSphere sessions logged in', 'open');
  poolGauge('esxgate_session_pool_in_use', 'Calls running on pooled sessions', 'inUse');
  poolGauge('esxgate_session_pool_waiting', 'Callers waiting for a session', 'waiting');
  cumulativeCounter(m.registry, 'esxgate_session_logins_total', 'vSphere logins', () => pool()?.logins);
  cumulativeCounter(m.registry, 'esxgate_session_relogins_total', 'vSphere re-logins after a lost session (NotAuthenticated)', () => pool()?.relogins);

  new Gauge({
    name: 'esxgate_operations',
    help: 'Operations (vSphere tasks) the gateway tracks, by status',
    labelNames: ['status'] as const,
    registers: [m.registry],
    collect() {
      const ops = drivers.operations as { stats?: () => { byStatus: Record<string, number> }; list?: () => Array<{ status: string }> } | undefined;
      // A stats() hook wins; otherwise count the registry's list (finished operations are kept a while).
      let byStatus = ops?.stats?.().byStatus;
      if (!byStatus && ops?.list) {
        byStatus = {};
        for (const o of ops.list()) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
      }
      if (!byStatus) return;
      for (const status of new Set([...OPERATION_STATUSES, ...Object.keys(byStatus)])) this.set({ status }, byStatus[status] ?? 0);
    },
  });
  new Gauge({
    name: 'esxgate_event_stream_clients',
    help: 'Clients connected to GET /v1/events',
    registers: [m.registry],
    collect() {
      const s = drivers.events?.stats?.() as { clients?: number } | undefined;
      this.set(s?.clients ?? 0);
    },
  });

  app.addHook('onResponse', async (req, reply) => {
    // Unmatched URLs share one label so scanners cannot blow up the series count.
    const route = req.routeOptions.url ?? 'unmatched';
    m.http.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

export default fp(metrics, { name: 'esxgate-metrics', fastify: '5.x' });

/** GET /metrics, registered after @fastify/swagger so that it is documented. */
export const metricsRoute = fp(
  async (app: FastifyInstance, opts: { metrics: GatewayMetrics }) => {
    const { registry } = opts.metrics;
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['service'],
          summary: 'Prometheus metrics (needs a token, read-only is enough, when tokens are configured)',
          response: {
            200: {
              description: 'Prometheus text exposition format',
              content: { 'text/plain': { schema: { type: 'string', examples: ['esxgate_http_request_duration_seconds_count{method="GET",route="/v1/domains",status_code="200"} 3\n'] } } },
            },
          },
        },
      },
      async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: 'esxgate-metrics-route', fastify: '5.x' },
);

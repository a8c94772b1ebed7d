// Builds the Fastify application (tests use this with inject() or listen on port 0).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { routePlugins } from './api/index.js';
import { frameworkError, installProblemHandlers } from './api/problem.js';
import { registerSharedSchemas } from './api/shared-schemas.js';
import type { Config } from './config.js';
import { EsxConnection } from './drivers/connection.js';
import { type Drivers, createDrivers } from './drivers/index.js';
import { loggerOptions } from './logger.js';
import auth from './plugins/auth.js';
import hardening from './plugins/hardening.js';
import metricsPlugin, { GatewayMetrics, metricsRoute } from './plugins/metrics.js';
import { VERSION } from './version.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    drivers: Drivers;
  }
}

export interface AppOptions {
  config: Config;
  /** false = silent; a pino instance or options otherwise (default: JSON to stdout at config.logLevel). */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** Reuse an existing connection (tests, benchmarks); otherwise one is made and closed with the app. */
  connection?: EsxConnection;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const logger = opts.logger === undefined ? loggerOptions(config.logLevel) : opts.logger;
  const app = Fastify({
    ...(logger && typeof (logger as FastifyBaseLogger).child === 'function'
      ? { loggerInstance: logger as FastifyBaseLogger }
      : { logger: logger as FastifyServerOptions['logger'] }),
    bodyLimit: config.bodyLimit,
    requestIdHeader: 'x-request-id',
    routerOptions: { maxParamLength: 2048 },
    frameworkErrors: frameworkError,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // libvirt XML and VMX travel as text.
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const metrics = new GatewayMetrics();
  const conn =
    opts.connection ??
    new EsxConnection(config.connection, { poolSize: config.poolSize, timeoutMs: config.upstreamTimeoutMs, maxResponseBytes: config.maxResponseBytes, log: app.log, onCall: metrics.onSoapCall });
  app.decorate('config', config);
  const drivers = createDrivers(conn, { mirror: config.mirror, log: app.log });
  app.decorate('drivers', drivers);
  // The update loop's session goes first: its long WaitForUpdatesEx must not hold the transport open.
  app.addHook('onClose', async () => {
    await drivers.live.close();
    if (!opts.connection) await conn.close();
  });

  installProblemHandlers(app);
  // Fastify's request.signal aborts on the request stream's 'close', which Node emits once the body
  // has been read: POST handlers would see it aborted at once. Callers mean "the client went away",
  // so every request gets a signal that aborts when the response closes before it finished.
  app.addHook('onRequest', async (req, reply) => {
    const ac = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) ac.abort();
    });
    Object.defineProperty(req, 'signal', { value: ac.signal, configurable: true });
  });
  registerSharedSchemas(app);
  // Before every route: their onRoute hooks document and guard the routes registered after them.
  await app.register(hardening, { config });
  await app.register(auth, { tokens: config.tokens });
  await app.register(metricsPlugin, { metrics });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'esxgate',
        version: VERSION,
        description:
          'VMware ESX and vCenter (the vSphere VI API) as a libvirt-like HTTP API. Names and semantics follow libvirt; ' +
          'long-running work is exposed as operations; errors are application/problem+json.',
        license: { name: 'LGPL-2.1-or-later', identifier: 'LGPL-2.1-or-later' },
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from ESXGATE_TOKENS, when tokens are configured' } },
      },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { tryItOutEnabled: true, deepLinking: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(metricsRoute, { metrics });

  for (const plugin of routePlugins) await app.register(plugin);
  return app;
}

// HTTP hardening: security headers (helmet), CORS only when ESXGATE_CORS_ORIGIN is set, and a
// per-client-IP rate limit when ESXGATE_RATE_LIMIT > 0. Body size limits are Fastify's bodyLimit
// (ESXGATE_BODY_LIMIT, set in buildApp); upstream timeouts are the transport's (-> 504 problem).
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../api/problem.js';
import type { Config } from '../config.js';

// JSON and XML responses never need to load anything: the strictest policy.
const API_CSP = { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } };
// Swagger UI (/docs): its scripts, styles and fonts come from this server (no CDN); it styles
// elements inline and shows data: images. No upgrade-insecure-requests: a gateway reached over
// plain http (compose demo, a LAN) would otherwise have its "Try it out" calls rewritten to https.
const DOCS_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    frameAncestors: ["'self'"],
    formAction: ["'self'"],
  },
};

const isDocs = (url: string | undefined) => url === '/docs' || !!url?.startsWith('/docs/');
/** Load balancer probes are never throttled. */
const UNLIMITED = new Set(['/healthz', '/readyz']);

async function hardening(app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts;
  // Registered first: CORS preflights are answered before authentication (they carry no token).
  if (config.corsOrigin) {
    const origins = config.corsOrigin.split(',').map((o) => o.trim()).filter(Boolean);
    await app.register(cors, {
      origin: origins.includes('*') ? '*' : origins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Last-Event-ID', 'Prefer', 'Range', 'X-Request-Id'],
      exposedHeaders: ['Location', 'Retry-After', 'X-Request-Id', 'Content-Range', 'WWW-Authenticate'],
      maxAge: 600,
    });
  }

  // Per-route helmet options are read from route config at request time (@fastify/helmet).
  app.addHook('onRoute', (route: RouteOptions) => {
    if (isDocs(route.url)) route.config = { ...(route.config as object), helmet: { contentSecurityPolicy: DOCS_CSP } } as never;
  });
  await app.register(helmet, { global: true, contentSecurityPolicy: API_CSP });

  if (config.rateLimit > 0) {
    await app.register(rateLimit, {
      global: true,
      max: config.rateLimit,
      timeWindow: 60_000,
      allowList: (req) => UNLIMITED.has(req.routeOptions.url ?? ''),
      // Thrown into the problem handler: a 429 application/problem+json, Retry-After set by the plugin.
      errorResponseBuilder: (_req, ctx) => new ApiError('rate-limited', `more than ${ctx.max} requests per minute from this client; retry in ${ctx.after}`),
    });
  }
}

export default fp(hardening, { name: 'esxgate-hardening', fastify: '5.x' });

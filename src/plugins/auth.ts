// Bearer-token authentication for the gateway (ESXGATE_TOKENS / ESXGATE_TOKENS_FILE).
// Deny by default: with tokens configured, every route needs one except the open service
// endpoints (health, readiness, API docs) that load balancers and browsers fetch without
// credentials. /metrics needs a token (read-only is enough): it tells which routes and
// vSphere methods are used and how often, which is nobody else's business.
// Tokens are compared as SHA-256 digests with timingSafeEqual, so neither their content nor
// their length leaks through timing, and every configured token is always compared.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError, sendProblem } from '../api/problem.js';
import { problems } from '../api/schemas.js';
import type { Config } from '../config.js';

/** Routes served without a token (route templates). */
const OPEN_ROUTES = new Set(['/healthz', '/readyz', '/openapi.json']);
const isOpen = (url: string | undefined) => !!url && (OPEN_ROUTES.has(url) || url === '/docs' || url.startsWith('/docs/'));
const READ_METHODS = new Set(['GET', 'HEAD']);

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export interface TokenMatcher {
  /** null = no configured token matches. */
  match(presented: string): { readOnly: boolean } | null;
}

/** Compares in constant time against every token (no early exit, so timing does not tell which matched). */
export function tokenMatcher(tokens: Config['tokens']): TokenMatcher {
  const known = tokens.map((t) => ({ digest: digest(t.token), readOnly: t.readOnly }));
  return {
    match(presented) {
      const d = digest(presented);
      let found: { readOnly: boolean } | null = null;
      for (const k of known) {
        // A token listed both read-write and read-only grants read-write.
        if (timingSafeEqual(d, k.digest) && (found === null || found.readOnly)) found = { readOnly: k.readOnly };
      }
      return found;
    },
  };
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750; the scheme is case-insensitive). */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

function deny(req: FastifyRequest, reply: FastifyReply, error: 'invalid_token' | null, detail: string) {
  // Never echo the presented token in the problem or the log.
  reply.header('www-authenticate', error ? `Bearer realm="esxgate", error="${error}"` : 'Bearer realm="esxgate"');
  return sendProblem(req, reply, new ApiError('auth-required', detail));
}

async function auth(app: FastifyInstance, opts: { tokens: Config['tokens'] }) {
  // Document what the hook enforces: open routes need no token; the others may answer 401/403.
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as { security?: unknown[]; response?: Record<string, unknown> } | undefined;
    if (isOpen(route.url)) route.schema = { ...schema, security: [] };
    else if (schema?.response) schema.response = { ...problems(401, 403), ...schema.response };
  });
  if (!opts.tokens.length) return;
  const matcher = tokenMatcher(opts.tokens);

  // preParsing: after every onRequest hook (CORS preflights are answered there, and the rate limit
  // counts unauthenticated attempts too), before any request body is read.
  app.addHook('preParsing', async (req, reply) => {
    if (isOpen(req.routeOptions.url)) return;
    const header = req.headers.authorization;
    if (!header) {
      deny(req, reply, null, 'this gateway requires a bearer token: send "Authorization: Bearer <token>"');
      return;
    }
    const token = bearerToken(header);
    const who = token === null ? null : matcher.match(token);
    if (!who) {
      deny(req, reply, 'invalid_token', 'the bearer token is not valid for this gateway');
      return;
    }
    if (who.readOnly && !READ_METHODS.has(req.method)) {
      sendProblem(req, reply, new ApiError('operation-denied', `a read-only token may only GET; ${req.method} needs a read-write token`));
    }
  });
}

export default fp(auth, { name: 'esxgate-auth', fastify: '5.x' });

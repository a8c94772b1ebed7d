// The one error handler: every error becomes application/problem+json with a stable code.
// 5xx details from unexpected errors are logged, never sent to clients.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { ApiError, ERROR_CODES, type ErrorCode, fromVi } from '../drivers/errors.js';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'invalid-arg',
  401: 'auth-required',
  403: 'operation-denied',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  416: 'range-not-satisfiable',
  429: 'rate-limited',
};

export function problemBody(req: FastifyRequest, status: number, code: string, detail: string, extra: Record<string, unknown> = {}) {
  return {
    type: `urn:esxgate:problem:${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
    instance: req.url.split('?')[0],
    requestId: String(req.id),
  };
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, e: ApiError) {
  return reply
    .code(e.status)
    .type('application/problem+json')
    .send(problemBody(req, e.status, e.code, e.message, e.extra));
}

function toApiError(err: unknown): ApiError {
  const mapped = fromVi(err);
  if (mapped instanceof ApiError) return mapped;
  const fe = err as FastifyError & { validation?: Array<{ instancePath?: string; message?: string }> };
  if (fe.validation) {
    return new ApiError('invalid-arg', `${fe.validationContext ?? 'request'}: ${fe.message.replace(/^(body|querystring|params|headers)\/?/, '$1 ')}`);
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = BY_STATUS[status] ?? 'invalid-arg';
    return Object.assign(new ApiError(code, fe.message), { status } as { status: number });
  }
  return new ApiError('internal-error', 'internal error');
}

/**
 * Fastify's router errors (a path parameter beyond maxParamLength, bad percent-encoding) happen
 * before any hook or handler: app.ts passes this as `frameworkErrors` so they are problems too.
 */
export function frameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const status = err.statusCode ?? 400;
  const detail = status === 414 ? 'a path parameter is longer than this gateway accepts' : 'the URL is not valid (bad percent-encoding)';
  return sendProblem(req, reply, Object.assign(new ApiError('invalid-arg', detail), { status } as { status: number }));
}

export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const e = toApiError(err);
    if (e.status >= 500) {
      if (e.code === 'internal-error') req.log.error({ err }, 'request failed');
      else req.log.warn({ code: e.code, fault: e.extra.fault, detail: e.message }, 'upstream error');
    }
    if (e.code === 'internal-error') e.message = `internal error (request ${req.id}); see the gateway's log`;
    return sendProblem(req, reply, e);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(req, reply, new ApiError('not-found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );
}

export { ApiError, ERROR_CODES };

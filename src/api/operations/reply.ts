// How every route that starts a vSphere task answers: 202 Accepted + Location + the operation, or,
// when the client asked to wait (?wait=N or Prefer: wait=N), up to N seconds for it to finish
// (200 with the finished operation; still 202 if it runs on, or is blocked by a question).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isFinished } from '../../drivers/operations/task-info.js';
import type { Operation } from '../../drivers/operations/types.js';

export const MAX_WAIT_SECONDS = 600;

/** Query fragment for action routes: spread into Type.Object({...WaitQuery}). */
export const WaitQuery = {
  wait: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS, description: 'Wait up to this many seconds for the operation to finish (also `Prefer: wait=N`)' }),
  ),
  auto_answer: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1, description: "Overrides the connection's auto_answer: 1 answers VM questions with their default choice, 0 reports them" }),
  ),
};

/** `?auto_answer=0|1` as the driver's option (undefined = the connection's setting). */
export function autoAnswerOf(q: { auto_answer?: number } | undefined): boolean | undefined {
  return q?.auto_answer === undefined ? undefined : q.auto_answer === 1;
}

/** Seconds to wait: ?wait=N, else RFC 7240 `Prefer: wait=N` (capped). */
export function waitOf(req: FastifyRequest): number | undefined {
  const q = (req.query as { wait?: unknown } | undefined)?.wait;
  if (typeof q === 'number') return Math.min(q, MAX_WAIT_SECONDS);
  const prefer = req.headers.prefer;
  const m = /(?:^|[,;\s])wait=(\d+)/.exec(Array.isArray(prefer) ? prefer.join(',') : (prefer ?? ''));
  return m ? Math.min(Number(m[1]), MAX_WAIT_SECONDS) : undefined;
}

export const operationLocation = (id: string): string => `/v1/operations/${encodeURIComponent(id)}`;

/** 202 + Location + operation; with a wait, 200 once it finished. Response schema: {200, 202: Ref('Operation')}. */
export async function replyOperation(req: FastifyRequest, reply: FastifyReply, op: Operation, wait?: number): Promise<FastifyReply> {
  const seconds = wait ?? waitOf(req);
  let cur = op;
  if (seconds && seconds > 0 && !isFinished(op.status)) {
    cur = await req.server.drivers.operations.wait(op.id, seconds * 1000, req.signal);
  }
  reply.header('location', operationLocation(op.id));
  if (seconds !== undefined && wait === undefined && !(req.query as { wait?: unknown } | undefined)?.wait) reply.header('preference-applied', `wait=${seconds}`);
  return reply.code(isFinished(cur.status) ? 200 : 202).send(cur);
}

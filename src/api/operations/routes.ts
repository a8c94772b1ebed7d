// Operations (API.md): list, get, long-poll wait, answer a blocking VM question, cancel.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problems } from '../schemas.js';
import { MAX_WAIT_SECONDS, operationLocation } from './reply.js';
import { OperationListSchema, OperationParam, OperationSchema, QuestionSchema } from './schemas.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(QuestionSchema);
  app.addSchema(OperationSchema);
  app.addSchema(OperationListSchema);
  const ops = () => app.drivers.operations;

  app.get(
    '/v1/operations',
    {
      schema: {
        tags: ['operations'],
        summary: 'Recent operations of this gateway, newest first',
        querystring: Type.Object(
          {
            target: Type.Optional(Type.String({ maxLength: 1024, description: "Target name, UUID or managed object id (e.g. a domain's)" })),
            status: Type.Optional(Type.Union(['running', 'succeeded', 'failed', 'cancelled', 'blocked'].map((s) => Type.Literal(s)))),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('OperationList'), ...problems(400) },
      },
    },
    async (req) => ({ items: ops().list({ target: req.query.target, status: req.query.status as never, limit: req.query.limit ?? 100 }) }),
  );

  app.get(
    '/v1/operations/:id',
    {
      schema: {
        tags: ['operations'],
        summary: 'One operation (any vSphere task id works, also ones another gateway started)',
        params: OperationParam,
        response: { 200: Type.Ref('Operation'), ...problems(404) },
      },
    },
    (req) => ops().get(req.params.id, req.signal),
  );

  app.get(
    '/v1/operations/:id/wait',
    {
      schema: {
        tags: ['operations'],
        summary: 'Long-poll: answers when the operation finished or is blocked by a question, or after timeout seconds',
        params: OperationParam,
        querystring: Type.Object(
          { timeout: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS, default: 60, description: 'Seconds' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('Operation'), ...problems(400, 404) },
      },
    },
    (req) => ops().wait(req.params.id, (req.query.timeout ?? 60) * 1000, req.signal),
  );

  app.post(
    '/v1/operations/:id/answer',
    {
      schema: {
        tags: ['operations'],
        summary: 'Answer the VM question that blocks the operation (AnswerVM)',
        params: OperationParam,
        body: Type.Object({ choice: Type.String({ minLength: 1, maxLength: 256, description: 'Key of one of question.choices' }) }, { additionalProperties: false }),
        response: { 200: Type.Ref('Operation'), ...problems(400, 404, 409) },
      },
    },
    // No req.signal: it fires once a POST body has been read (and an answer must not be half-sent).
    (req) => ops().answer(req.params.id, req.body.choice),
  );

  app.delete(
    '/v1/operations/:id',
    {
      schema: {
        tags: ['operations'],
        summary: 'Cancel the operation (CancelTask); 409 when its task cannot be cancelled',
        params: OperationParam,
        response: { 202: Type.Ref('Operation'), ...problems(404, 409) },
      },
    },
    async (req, reply) => {
      const op = await ops().cancel(req.params.id, req.signal);
      return reply.code(202).header('location', operationLocation(op.id)).send(op);
    },
  );
};

export default routes;

// Domain routes (virConnectListAllDomains, virDomainLookupBy*).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DomainParam, PageQuery, problems } from '../schemas.js';
import { DomainPageSchema, DomainSummarySchema } from './schemas.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(DomainSummarySchema);
  app.addSchema(DomainPageSchema);

  app.get(
    '/v1/domains',
    {
      schema: {
        tags: ['domains'],
        summary: 'List domains (virConnectListAllDomains)',
        querystring: Type.Object(
          {
            state: Type.Optional(
              Type.Union(
                ['active', 'inactive', 'running', 'paused', 'shutoff'].map((s) => Type.Literal(s)),
                { description: 'active = running or paused; inactive = shutoff' },
              ),
            ),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('DomainPage'), ...problems(400) },
      },
    },
    (req) => app.drivers.domain.list({ ...req.query, state: req.query.state as never, signal: req.signal }),
  );

  app.get(
    '/v1/domains/:domain',
    {
      schema: {
        tags: ['domains'],
        summary: 'One domain by name, UUID or id',
        params: DomainParam,
        response: { 200: Type.Ref('DomainSummary'), ...problems(404) },
      },
    },
    (req) => app.drivers.domain.summary(req.params.domain, req.signal),
  );
};

export default routes;

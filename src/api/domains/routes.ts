// Domain routes (virConnectListAllDomains, virDomainLookupBy*, virDomainGetXMLDesc); the
// define/edit, lifecycle and snapshot routes are plugins of their own, registered here.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { formatDomainXml } from '../../domain-xml/format.js';
import { sendXml, wantsXml, xmlResponse } from '../negotiate.js';
import { DomainParam, PageQuery, problems } from '../schemas.js';
import { addOperationSchemas } from '../shared-schemas.js';
import actions from './actions.js';
import define from './define.js';
import { DomainDetailSchema, DomainPageSchema, DomainRuntimeSchema, DomainSummarySchema } from './schemas.js';
import snapshots from './snapshots.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(DomainSummarySchema);
  app.addSchema(DomainPageSchema);
  app.addSchema(DomainRuntimeSchema);
  app.addSchema(DomainDetailSchema);
  // For the action and snapshot plugins registered below.
  addOperationSchemas(app);

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
        summary: 'One domain by name, UUID or id: summary, definition and runtime (libvirt domain XML with Accept: application/xml)',
        params: DomainParam,
        response: {
          200: { description: 'The domain', content: { 'application/json': { schema: Type.Ref('DomainDetail') }, 'application/xml': { schema: { type: 'string' } } } },
          ...problems(404),
        },
      },
    },
    async (req, reply) => {
      const d = await app.drivers.domain.detail(req.params.domain, req.signal);
      if (wantsXml(req)) return sendXml(reply, formatDomainXml(d.definition));
      return d;
    },
  );

  app.get(
    '/v1/domains/:domain/xml',
    {
      schema: {
        tags: ['domains'],
        summary: 'libvirt domain XML (virDomainGetXMLDesc)',
        params: DomainParam,
        response: { 200: xmlResponse('libvirt domain XML'), ...problems(404) },
      },
    },
    async (req, reply) => sendXml(reply, formatDomainXml((await app.drivers.domain.detail(req.params.domain, req.signal)).definition)),
  );

  await app.register(define);
  await app.register(actions);
  await app.register(snapshots);
};

export default routes;

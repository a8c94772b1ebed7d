// Node capabilities (virConnectGetCapabilities) and memory (virNodeGetFreeMemory, virNodeGetMemoryStats).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NodeCapsDriver, capabilitiesXml } from '../../drivers/node-caps.js';
import { problems } from '../schemas.js';
import { sendXml, wantsXml } from '../negotiate.js';

const Capabilities = Type.Object(
  {
    host: Type.Object({
      uuid: Type.String(),
      cpu: Type.Object({
        arch: Type.Union([Type.Literal('x86_64'), Type.Literal('i686')]),
        model: Type.String(),
        vendor: Type.String(),
        sockets: Type.Integer(),
        cores: Type.Integer({ description: 'per socket' }),
        threads: Type.Integer({ description: 'per core' }),
      }),
      migration: Type.Object({ live: Type.Boolean(), transports: Type.Array(Type.String()) }),
    }),
    guests: Type.Array(
      Type.Object({
        osType: Type.Literal('hvm'),
        arch: Type.Union([Type.Literal('i686'), Type.Literal('x86_64')]),
        wordsize: Type.Integer(),
        domainTypes: Type.Array(Type.String()),
      }),
    ),
  },
  { $id: 'Capabilities' },
);

const Memory = Type.Object(
  { total: Type.Integer({ description: 'KiB' }), free: Type.Integer({ description: 'KiB' }), used: Type.Integer({ description: 'KiB' }) },
  { $id: 'NodeMemory' },
);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(Capabilities);
  app.addSchema(Memory);
  const caps = new NodeCapsDriver(app.drivers.conn);

  app.get(
    '/v1/node/capabilities',
    { schema: { tags: ['node'], summary: 'Host and guest capabilities (virConnectGetCapabilities; libvirt XML with Accept: application/xml)', response: { 200: Type.Ref('Capabilities'), ...problems() } } },
    async (req, reply) => {
      const c = await caps.capabilities(req.signal);
      return wantsXml(req) ? sendXml(reply, capabilitiesXml(c)) : c;
    },
  );

  app.get(
    '/v1/node/memory',
    { schema: { tags: ['node'], summary: 'Host memory in KiB (virNodeGetFreeMemory, virNodeGetMemoryStats)', response: { 200: Type.Ref('NodeMemory'), ...problems() } } },
    async (req) => caps.memory(req.signal),
  );
};

export default routes;

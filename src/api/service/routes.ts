// Service routes: health, readiness, connection and node information.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError, sendProblem } from '../problem.js';
import { problems } from '../schemas.js';

const Connection = Type.Object(
  {
    uri: Type.String({ examples: ['esx://root@esx1.example.com/?no_verify=1'] }),
    type: Type.Union([Type.Literal('esx'), Type.Literal('vpx')]),
    product: Type.String({ examples: ['VMware ESXi 7.0.3 build-19193900'] }),
    version: Type.String(),
    build: Type.String(),
    apiVersion: Type.String(),
    instanceUuid: Type.Union([Type.String(), Type.Null()]),
    hostname: Type.Union([Type.String(), Type.Null()], { description: 'The host the URI scopes to (ESX: the host itself)' }),
    datacenter: Type.String({ description: 'MoRef of the datacenter in scope' }),
    autoAnswer: Type.Boolean({ description: "libvirt's auto_answer: VM questions are answered with their default choice" }),
    noVerify: Type.Boolean(),
    poolSize: Type.Integer({ description: 'vSphere sessions the gateway may hold' }),
  },
  { $id: 'Connection' },
);

const Node = Type.Object(
  {
    model: Type.String({ examples: ['Intel(R) Xeon(R) Gold 6130 CPU'] }),
    memory: Type.Integer({ description: 'KiB' }),
    cpus: Type.Integer(),
    mhz: Type.Integer(),
    nodes: Type.Integer({ description: 'NUMA nodes' }),
    sockets: Type.Integer({ description: 'per NUMA node' }),
    cores: Type.Integer({ description: 'per socket' }),
    threads: Type.Integer({ description: 'per core' }),
    hostname: Type.String(),
    vendor: Type.String(),
    uuid: Type.String(),
  },
  { $id: 'Node' },
);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(Connection);
  app.addSchema(Node);

  app.get('/healthz', { schema: { tags: ['service'], summary: 'Liveness: the gateway process serves', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['service'],
        summary: 'Readiness: ESX answers',
        response: { 200: Type.Object({ status: Type.Literal('ready') }), ...problems(503) },
      },
    },
    async (req, reply) => {
      if (await app.drivers.conn.ready()) return { status: 'ready' as const };
      return sendProblem(req, reply, new ApiError('upstream-unavailable', 'ESX does not answer'));
    },
  );

  app.get('/v1/connection', { schema: { tags: ['connection'], summary: 'The ESX/vCenter connection (virConnectGetURI, GetVersion, GetHostname)', response: { 200: Type.Ref('Connection'), ...problems() } } }, (req) =>
    app.drivers.node.connection(req.signal),
  );

  app.get('/v1/node', { schema: { tags: ['node'], summary: 'Host hardware (virNodeGetInfo)', response: { 200: Type.Ref('Node'), ...problems() } } }, (req) => app.drivers.node.info(req.signal));
};

export default routes;

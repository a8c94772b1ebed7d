// Network routes (virsh net-list, net-info, net-uuid, net-dumpxml, net-define, net-undefine).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { NetworkDefinition } from '../../drivers/network.js';
import { forwardModeUnsupported, networkXml, parseNetworkXml } from '../../drivers/network-xml.js';
import { problems } from '../schemas.js';
import { sendXml, wantsXml } from '../negotiate.js';
import { NetworkDefineSchema, NetworkParam, NetworkSchema } from './schemas.js';

interface DefineBody {
  name: string;
  forward?: { mode: string; interfaces?: string[] };
  portgroups?: Array<{ name: string; vlan?: number }>;
  mtu?: number;
}

function fromJson(b: DefineBody): NetworkDefinition {
  if (b.forward && b.forward.mode !== 'bridge') throw forwardModeUnsupported(b.forward.mode);
  return {
    name: b.name,
    interfaces: b.forward?.interfaces ?? [],
    portgroups: (b.portgroups ?? []).map((p) => ({ name: p.name, vlan: p.vlan ?? 0 })),
    ...(b.mtu ? { mtu: b.mtu } : {}),
  };
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(NetworkSchema);
  app.addSchema(NetworkDefineSchema);
  const networks = () => app.drivers.network;

  app.get(
    '/v1/networks',
    { schema: { tags: ['networks'], summary: 'List networks: virtual switches of the host (virConnectListAllNetworks)', response: { 200: Type.Object({ items: Type.Array(Type.Ref('Network')) }), ...problems() } } },
    async (req) => ({ items: await networks().list(req.signal) }),
  );

  app.get(
    '/v1/networks/:network',
    { schema: { tags: ['networks'], summary: 'One network by name or UUID (libvirt XML with Accept: application/xml)', params: NetworkParam, response: { 200: Type.Ref('Network'), ...problems(404) } } },
    async (req, reply) => {
      const n = await networks().lookup(req.params.network, req.signal);
      return wantsXml(req) ? sendXml(reply, networkXml(n)) : n;
    },
  );

  app.get(
    '/v1/networks/:network/xml',
    { schema: { tags: ['networks'], summary: 'libvirt network XML (virNetworkGetXMLDesc)', params: NetworkParam, produces: ['application/xml'], response: { 200: Type.String(), ...problems(404) } } },
    async (req, reply) => sendXml(reply, networkXml(await networks().lookup(req.params.network, req.signal))),
  );

  app.post(
    '/v1/networks',
    {
      schema: {
        tags: ['networks'],
        summary: 'Define a network: AddVirtualSwitch + AddPortGroup (JSON, or libvirt network XML as application/xml)',
        body: Type.Union([Type.Ref('NetworkDefine'), Type.String({ description: 'libvirt <network> XML' })]),
        response: { 201: Type.Ref('Network'), ...problems(400, 409, 415) },
      },
    },
    async (req, reply) => {
      const body = req.body as DefineBody | string;
      const def = typeof body === 'string' ? parseNetworkXml(body) : fromJson(body);
      const n = await networks().define(def, req.signal);
      return reply.code(201).header('location', `/v1/networks/${encodeURIComponent(n.name)}`).send(n);
    },
  );

  app.delete(
    '/v1/networks/:network',
    { schema: { tags: ['networks'], summary: 'Undefine a network: RemovePortGroup + RemoveVirtualSwitch; 409 while domains use it', params: NetworkParam, response: { 204: Type.Null(), ...problems(404, 409) } } },
    async (req, reply) => {
      await networks().undefine(req.params.network, req.signal);
      return reply.code(204).send(null);
    },
  );
};

export default routes;

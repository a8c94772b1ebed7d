// Interface routes (virsh iface-list, iface-name, iface-mac, iface-dumpxml): physical NICs, read-only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { interfaceXml } from '../../drivers/interface.js';
import { problems } from '../schemas.js';
import { sendXml, wantsXml } from '../negotiate.js';

const InterfaceSchema = Type.Object(
  {
    name: Type.String({ examples: ['vmnic0'] }),
    mac: Type.String({ examples: ['00:0c:29:81:d8:a0'] }),
    active: Type.Boolean({ description: 'Link up' }),
    speed: Type.Union([Type.Integer(), Type.Null()], { description: 'Mbit/s' }),
    duplex: Type.Union([Type.Literal('full'), Type.Literal('half'), Type.Null()]),
    driver: Type.Union([Type.String(), Type.Null()]),
    pci: Type.Union([Type.String(), Type.Null()]),
    key: Type.String(),
  },
  { $id: 'Interface' },
);

const Param = Type.Object({ interface: Type.String({ minLength: 1, maxLength: 256, description: 'Interface name or MAC address' }) });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(InterfaceSchema);
  const ifaces = () => app.drivers.iface;

  app.get(
    '/v1/interfaces',
    { schema: { tags: ['interfaces'], summary: 'List physical NICs (virConnectListAllInterfaces)', response: { 200: Type.Object({ items: Type.Array(Type.Ref('Interface')) }), ...problems() } } },
    async (req) => ({ items: await ifaces().list(req.signal) }),
  );

  app.get(
    '/v1/interfaces/:interface',
    { schema: { tags: ['interfaces'], summary: 'One NIC by name or MAC (libvirt XML with Accept: application/xml)', params: Param, response: { 200: Type.Ref('Interface'), ...problems(404) } } },
    async (req, reply) => {
      const i = await ifaces().lookup(req.params.interface, req.signal);
      return wantsXml(req) ? sendXml(reply, interfaceXml(i)) : i;
    },
  );

  app.get(
    '/v1/interfaces/:interface/xml',
    { schema: { tags: ['interfaces'], summary: 'libvirt interface XML (virInterfaceGetXMLDesc)', params: Param, produces: ['application/xml'], response: { 200: Type.String(), ...problems(404) } } },
    async (req, reply) => sendXml(reply, interfaceXml(await ifaces().lookup(req.params.interface, req.signal))),
  );
};

export default routes;

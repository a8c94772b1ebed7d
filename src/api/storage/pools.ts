// Storage pool routes (virsh pool-list, pool-info, pool-dumpxml, pool-refresh, pool-uuid).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { poolXml } from '../../drivers/storage/xml.js';
import { problems } from '../schemas.js';
import { PoolParam } from './schemas.js';
import { sendXml, wantsXml } from '../negotiate.js';

const XmlText = Type.String({ description: 'libvirt XML' });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const pools = () => app.drivers.storage.pools;

  app.get(
    '/v1/storage-pools',
    {
      schema: {
        tags: ['storage'],
        summary: 'List storage pools: datastores and iSCSI targets (virConnectListAllStoragePools)',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('StoragePool')) }), ...problems() },
      },
    },
    async (req) => ({ items: await pools().list(req.signal) }),
  );

  app.get(
    '/v1/storage-pools/:pool',
    {
      schema: {
        tags: ['storage'],
        summary: 'One storage pool by name or UUID (libvirt XML with Accept: application/xml)',
        params: PoolParam,
        response: { 200: Type.Ref('StoragePool'), ...problems(404) },
      },
    },
    async (req, reply) => {
      const p = await pools().lookup(req.params.pool, req.signal);
      return wantsXml(req) ? sendXml(reply, poolXml(p)) : p;
    },
  );

  app.get(
    '/v1/storage-pools/:pool/xml',
    {
      schema: {
        tags: ['storage'],
        summary: 'libvirt storage pool XML (virStoragePoolGetXMLDesc)',
        params: PoolParam,
        produces: ['application/xml'],
        response: { 200: XmlText, ...problems(404) },
      },
    },
    async (req, reply) => sendXml(reply, poolXml(await pools().lookup(req.params.pool, req.signal))),
  );

  app.post(
    '/v1/storage-pools/:pool/actions/refresh',
    {
      schema: {
        tags: ['storage'],
        summary: 'Refresh the datastore’s figures (virStoragePoolRefresh: RefreshDatastore)',
        params: PoolParam,
        response: { 200: Type.Ref('StoragePool'), ...problems(404, 422) },
      },
    },
    async (req) => pools().refresh(req.params.pool, req.signal),
  );
};

export default routes;

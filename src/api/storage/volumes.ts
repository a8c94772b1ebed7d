// Volume routes (virsh vol-list, vol-info, vol-dumpxml, vol-key, vol-path, vol-create-as, vol-clone,
// vol-delete, vol-wipe). A volume's name contains '/', so it travels as ONE path segment with
// '/' encoded as %2F: /v1/storage-pools/datastore1/volumes/web01%2Fweb01.vmdk.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../drivers/errors.js';
import { volumeXml } from '../../drivers/storage/xml.js';
import { WaitQuery, replyOperation } from '../operations/reply.js';
import { problems } from '../schemas.js';
import { PoolParam, VolumeParam } from './schemas.js';
import { type VolumeRequest, parseVolumeXml } from '../../drivers/storage/volume-xml.js';
import { sendXml, wantsXml } from '../negotiate.js';

const Op = { 200: Type.Ref('Operation'), 202: Type.Ref('Operation') };

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const volumes = () => app.drivers.storage.volumes;

  app.get(
    '/v1/storage-pools/:pool/volumes',
    {
      schema: {
        tags: ['storage'],
        summary: 'List the files of a datastore (virStoragePoolListAllVolumes: SearchDatastoreSubFolders_Task)',
        params: PoolParam,
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Volume')) }), ...problems(404, 422) },
      },
    },
    async (req) => ({ items: await volumes().list(req.params.pool, req.signal) }),
  );

  app.get(
    '/v1/storage-volumes/:key',
    {
      schema: {
        tags: ['storage'],
        summary: "A volume by key (disk UUID) or path '[datastore] dir/file' (virStorageVolLookupByKey / ByPath)",
        params: Type.Object({ key: Type.String({ minLength: 1, maxLength: 2048 }) }),
        response: { 200: Type.Ref('Volume'), ...problems(400, 404) },
      },
    },
    async (req, reply) => {
      const v = await volumes().lookupByKey(req.params.key, req.signal);
      return wantsXml(req) ? sendXml(reply, volumeXml(v)) : v;
    },
  );

  app.get(
    '/v1/storage-pools/:pool/volumes/:volume',
    {
      schema: {
        tags: ['storage'],
        summary: 'One volume by name (libvirt XML with Accept: application/xml)',
        params: VolumeParam,
        response: { 200: Type.Ref('Volume'), ...problems(400, 404, 422) },
      },
    },
    async (req, reply) => {
      const v = await volumes().lookup(req.params.pool, req.params.volume, req.signal);
      return wantsXml(req) ? sendXml(reply, volumeXml(v)) : v;
    },
  );

  app.get(
    '/v1/storage-pools/:pool/volumes/:volume/xml',
    {
      schema: {
        tags: ['storage'],
        summary: 'libvirt volume XML (virStorageVolGetXMLDesc)',
        params: VolumeParam,
        produces: ['application/xml'],
        response: { 200: Type.String(), ...problems(400, 404, 422) },
      },
    },
    async (req, reply) => sendXml(reply, volumeXml(await volumes().lookup(req.params.pool, req.params.volume, req.signal))),
  );

  app.post(
    '/v1/storage-pools/:pool/volumes',
    {
      schema: {
        tags: ['storage'],
        summary: 'Create a virtual disk (CreateVirtualDisk_Task) or clone one with `from` (CopyVirtualDisk_Task); JSON or libvirt volume XML',
        params: PoolParam,
        querystring: Type.Object({ ...WaitQuery }),
        body: Type.Union([Type.Ref('VolumeCreate'), Type.String({ description: 'libvirt <volume> XML' })]),
        response: { ...Op, ...problems(400, 404, 409, 415, 422) },
      },
    },
    async (req, reply) => {
      const body = req.body as VolumeRequest | string;
      const spec = typeof body === 'string' ? parseVolumeXml(body) : body;
      const v = volumes();
      let begun;
      if (spec.from) begun = await v.beginClone(req.params.pool, spec.from, spec.name, req.signal);
      else if (spec.capacity === undefined) throw new ApiError('invalid-arg', 'capacity is required to create a volume');
      else begun = await v.beginCreate(req.params.pool, { name: spec.name, capacity: spec.capacity, allocation: spec.allocation, adapterType: spec.adapterType }, req.signal);
      const op = await app.drivers.operations.start({ kind: spec.from ? 'volume.clone' : 'volume.create', target: begun.target, begin: begun.begin, signal: req.signal });
      return replyOperation(req, reply, op);
    },
  );

  app.delete(
    '/v1/storage-pools/:pool/volumes/:volume',
    {
      schema: {
        tags: ['storage'],
        summary: 'Delete a volume (virStorageVolDelete: DeleteVirtualDisk_Task for .vmdk, DeleteDatastoreFile_Task otherwise)',
        params: VolumeParam,
        querystring: Type.Object({ ...WaitQuery }),
        response: { ...Op, ...problems(400, 404, 409, 422) },
      },
    },
    async (req, reply) => {
      const begun = await volumes().beginDelete(req.params.pool, req.params.volume, req.signal);
      const op = await app.drivers.operations.start({ kind: 'volume.delete', target: begun.target, begin: begun.begin, signal: req.signal });
      return replyOperation(req, reply, op);
    },
  );

  app.post(
    '/v1/storage-pools/:pool/volumes/:volume/actions/wipe',
    {
      schema: {
        tags: ['storage'],
        summary: 'Zero a virtual disk (virStorageVolWipe: ZeroFillVirtualDisk_Task)',
        params: VolumeParam,
        querystring: Type.Object({ ...WaitQuery }),
        response: { ...Op, ...problems(400, 404, 409, 422) },
      },
    },
    async (req, reply) => {
      const begun = await volumes().beginWipe(req.params.pool, req.params.volume, req.signal);
      const op = await app.drivers.operations.start({ kind: 'volume.wipe', target: begun.target, begin: begun.begin, signal: req.signal });
      return replyOperation(req, reply, op);
    },
  );
};

export default routes;
